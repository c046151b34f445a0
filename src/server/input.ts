// What the API accepts before any schema runs: I-JSON text (RFC 7493), because every value may end
// up in a ledger leaf that an independent verifier re-canonicalises with RFC 8785, and only I-JSON
// hashes the same everywhere. Checked once, here, for every body, query string and path.
import { AppError } from '../errors.js';
import type { App } from './http.js';

/** Containers nested deeper than this are refused (a free-form `output` or `parameters` included). */
export const MAX_JSON_DEPTH = 64;

/** The largest integer every reader of our JSON can hold exactly (RFC 7493 §2.2). */
export const MAX_SAFE_INTEGER = Number.MAX_SAFE_INTEGER;

export interface InputProblem {
  field: string;
  message: string;
}

// In a /u regex a surrogate pair is one code point; only a lone surrogate has category Cs.
const LONE_SURROGATE = /\p{Cs}/u;
const LONE_SURROGATE_MESSAGE = 'contains a lone UTF-16 surrogate: send well-formed Unicode text (I-JSON, RFC 7493 §2.1)';
// U+0000 is valid I-JSON, but PostgreSQL cannot store it in text, and no person writes it.
const NUL = '\u0000';
const NUL_MESSAGE = 'contains a NUL character (U+0000), which is not text';

/** The first string with a lone surrogate or the first container nested too deep, or null.
 * Fields are named `root.a.0.b`, as the schema validation errors name them. A value without a
 * problem (nearly every one) costs one lean pass that builds no field names; only a value that has
 * one is walked again to name where. */
export function findInputProblem(value: unknown, root: string, maxDepth = MAX_JSON_DEPTH): InputProblem | null {
  return isWellFormedInput(value, maxDepth, true) ? null : locateInputProblem(value, root, maxDepth);
}

const isText = (text: string) => !LONE_SURROGATE.test(text) && !text.includes(NUL);

/** Whether `value` nests at most `depthLeft` containers deep and (when `checkText`) every string and
 * key is text. Recursive, but never deeper than `depthLeft`: a deeper container fails right there. */
function isWellFormedInput(value: unknown, depthLeft: number, checkText: boolean): boolean {
  if (typeof value === 'string') return !checkText || isText(value);
  if (typeof value !== 'object' || value === null) return true;
  if (depthLeft <= 0) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!isWellFormedInput(value[i], depthLeft - 1, checkText)) return false;
    return true;
  }
  const object = value as Record<string, unknown>;
  for (const key of Object.keys(object)) {
    if (checkText && !isText(key)) return false;
    if (!isWellFormedInput(object[key], depthLeft - 1, checkText)) return false;
  }
  return true;
}

/** The walk that names the first problem. Iterative, so a deep value cannot exhaust the stack. */
function locateInputProblem(value: unknown, root: string, maxDepth: number): InputProblem | null {
  const pending: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: root, depth: 0 }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { value: current, path, depth } = next;
    if (typeof current === 'string') {
      if (LONE_SURROGATE.test(current)) return { field: path, message: LONE_SURROGATE_MESSAGE };
      if (current.includes(NUL)) return { field: path, message: NUL_MESSAGE };
      continue;
    }
    if (typeof current !== 'object' || current === null) continue;
    if (depth >= maxDepth) return { field: path, message: `nests deeper than ${maxDepth} levels` };
    if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) pending.push({ value: current[i], path: `${path}.${i}`, depth: depth + 1 });
      continue;
    }
    for (const [key, child] of Object.entries(current)) {
      if (LONE_SURROGATE.test(key)) return { field: path, message: `has a key that ${LONE_SURROGATE_MESSAGE}` };
      if (key.includes(NUL)) return { field: path, message: `has a key that ${NUL_MESSAGE}` };
      pending.push({ value: child, path: `${path}.${key}`, depth: depth + 1 });
    }
  }
  return null;
}

/** `findInputProblem` for a value just parsed from JSON `text`. A lone surrogate or a NUL can only
 * reach a parsed string through a `\u` escape: the text is valid UTF-8 (so it holds no surrogate
 * code point) and JSON forbids a raw control character inside a string. Text without `\u` (a
 * machine's batch, typically) therefore needs only the depth check. */
export function findJsonBodyProblem(text: string, value: unknown, root = 'body', maxDepth = MAX_JSON_DEPTH): InputProblem | null {
  const checkText = text.includes('\\u');
  return isWellFormedInput(value, maxDepth, checkText) ? null : locateInputProblem(value, root, maxDepth);
}

function refuse(problem: InputProblem): AppError {
  return new AppError('validation_failed', `${problem.field} ${problem.message}`, { field: problem.field });
}

// The shape only; the fields sit at fixed places (the offset at the end), read below without captures.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:[Zz]|[+-]\d{2}:\d{2})$/;

/** The two ASCII digits at `at` (the shape was checked) as a number. */
const twoDigits = (text: string, at: number) => (text.charCodeAt(at) - 48) * 10 + text.charCodeAt(at + 1) - 48;

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days in `month` (1 to 12) of `year`, as `new Date(Date.UTC(year, month, 0)).getUTCDate()` says
 * (which reads the years 0 to 99 as 1900 to 1999), by arithmetic: every record of a batch dated
 * after the 28th asks, and a Date per record cost more than the rest of the check. */
function daysInMonth(year: number, month: number): number {
  if (month !== 2) return MONTH_DAYS[month - 1];
  const y = year < 100 ? year + 1900 : year;
  return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28;
}

/** An RFC 3339 date-time that exists: no 30 February, no leap second (23:59:60 has no epoch
 * milliseconds, so JavaScript and both databases would refuse or shift it). Called for every
 * decision record of a batch, so it allocates nothing for the common case. */
export function isDateTime(text: string): boolean {
  if (!DATE_TIME.test(text)) return false;
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  const zulu = (text.charCodeAt(text.length - 1) | 0x20) === 0x7a; // z or Z
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    // Every month has 28 days; only a later day needs the calendar.
    (day <= 28 || day <= daysInMonth(twoDigits(text, 0) * 100 + twoDigits(text, 2), month)) &&
    twoDigits(text, 11) <= 23 &&
    twoDigits(text, 14) <= 59 &&
    twoDigits(text, 17) <= 59 &&
    (zulu || (twoDigits(text, text.length - 5) <= 23 && twoDigits(text, text.length - 2) <= 59))
  );
}

type JsonSchemaNode = Record<string, unknown>;

/** Gives every integer a request may carry (body, query, path) the bounds of a safe integer unless
 * it declares tighter ones, so `offset=1e21` or a version of 2^53+1 is a 400 naming the field, never
 * a database error. Applied to the route's own schema objects, so the OpenAPI document shows the bounds. */
export function boundIntegers(schema: unknown): void {
  if (typeof schema !== 'object' || schema === null) return;
  const node = schema as JsonSchemaNode;
  if ([node.type].flat().includes('integer')) {
    if (node.maximum === undefined && node.exclusiveMaximum === undefined) node.maximum = MAX_SAFE_INTEGER;
    if (node.minimum === undefined && node.exclusiveMinimum === undefined) node.minimum = -MAX_SAFE_INTEGER;
  }
  for (const key of ['properties', 'patternProperties']) {
    const children = node[key];
    if (typeof children === 'object' && children !== null) for (const child of Object.values(children)) boundIntegers(child);
  }
  for (const key of ['items', 'additionalProperties', 'not']) boundIntegers(node[key]);
  for (const key of ['anyOf', 'oneOf', 'allOf', 'prefixItems']) {
    const list = node[key];
    if (Array.isArray(list)) for (const child of list) boundIntegers(child);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Query names and values whose percent-encoding is not UTF-8 (e.g. `%ED%A0%80`, a lone surrogate). */
function findQueryProblem(url: string): InputProblem | null {
  const query = url.indexOf('?');
  if (query < 0) return null;
  for (const pair of url.slice(query + 1).split('&')) {
    const [name, value = ''] = pair.split('=', 2);
    const decode = (text: string) => decodeURIComponent(text.replace(/\+/g, ' '));
    let field: string;
    try {
      field = `querystring.${decode(name)}`;
    } catch {
      return { field: 'querystring', message: `has a parameter name that is not UTF-8 text: ${name}` };
    }
    try {
      decode(value);
    } catch {
      return { field, message: 'is not percent-encoded UTF-8 text (I-JSON, RFC 7493 §2.1)' };
    }
  }
  return null;
}

/** The JSON body parser (UTF-8 only, then depth and lone surrogates) and the query/path check. */
export function installInputChecks(app: App): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, raw, done) => {
    let text: string;
    try {
      text = utf8.decode(raw as Buffer);
    } catch {
      done(new AppError('invalid_json', 'the request body is not UTF-8 text'), undefined);
      return;
    }
    void parseJson(req, text, (error, value) => {
      if (error) return done(error, undefined);
      const problem = findJsonBodyProblem(text, value);
      if (problem) return done(refuse(problem), undefined);
      done(null, value);
    });
  });
  // A callback hook: it runs on every request and does no I/O, so it need not cost a promise.
  app.addHook('preValidation', (req, _reply, done) => {
    const problem = findQueryProblem(req.url) ?? findInputProblem(req.query, 'querystring') ?? findInputProblem(req.params, 'params');
    done(problem ? refuse(problem) : undefined);
  });
}
