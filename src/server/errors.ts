// The one place where errors become HTTP answers: AppError codes, validation, body limits and
// driver errors (unique violation -> 409). Unknown errors: logged, 500 with the request id only.
import type { ErrorObject } from 'ajv';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isUniqueViolation } from '../db/store.js';
import { AppError, type ErrorCode } from '../errors.js';
import { describeProblem } from './schema-check.js';

interface ErrorBody {
  error: { code: ErrorCode; message: string; details: Record<string, unknown> };
}

function body(code: ErrorCode, message: string, details: Record<string, unknown> = {}): ErrorBody {
  return { error: { code, message, details } };
}

type ValidationIssue = NonNullable<FastifyError['validation']>[number];

/** A union of literals fails as one `const` error per literal plus an `anyOf`; a client needs one
 * issue naming the allowed values. Lone `const` and `enum` failures name theirs too. */
function mergeEnumIssues(issues: readonly ValidationIssue[]): ValidationIssue[] {
  const allowedOf = (anyOf: ValidationIssue) =>
    issues
      .filter((i) => i.keyword === 'const' && i.instancePath === anyOf.instancePath && i.schemaPath.startsWith(`${anyOf.schemaPath}/`))
      .map((i) => (i.params as { allowedValue?: unknown }).allowedValue);
  const merged: ValidationIssue[] = [];
  const covered = new Set<ValidationIssue>();
  for (const issue of issues) {
    if (issue.keyword !== 'anyOf') continue;
    const allowed = allowedOf(issue);
    if (allowed.length === 0) continue;
    for (const other of issues)
      if (other.instancePath === issue.instancePath && other.schemaPath.startsWith(`${issue.schemaPath}/`)) covered.add(other);
    covered.add(issue);
    merged.push({ ...issue, keyword: 'enum', params: { allowedValues: allowed }, message: oneOf(allowed) });
  }
  for (const issue of issues) {
    if (covered.has(issue)) continue;
    const params = issue.params as { allowedValue?: unknown; allowedValues?: unknown[] };
    if (issue.keyword === 'const') merged.push({ ...issue, message: oneOf([params.allowedValue]) });
    else if (issue.keyword === 'enum' && params.allowedValues) merged.push({ ...issue, message: oneOf(params.allowedValues) });
    else merged.push(issue);
  }
  // Keep Ajv's order: the first failing place first.
  return merged.sort(
    (a, b) => issues.findIndex((i) => i.instancePath === a.instancePath) - issues.findIndex((i) => i.instancePath === b.instancePath),
  );
}

function oneOf(values: readonly unknown[]): string {
  const listed = values.map((v) => JSON.stringify(v)).join(', ');
  return values.length === 1 ? `must be ${listed}` : `must be one of ${listed}`;
}

function validationDetails(first: ValidationIssue | undefined, error: FastifyError): { field: string; message: string } {
  return describeProblem(first as ErrorObject | undefined, error.validationContext ?? 'body', error.message);
}

export function toErrorResponse(error: unknown, req: FastifyRequest): { status: number; body: ErrorBody } {
  if (error instanceof AppError) return { status: error.status, body: body(error.code, error.message, error.details) };
  const fe = error as FastifyError;
  if (fe.validation) {
    const issues = mergeEnumIssues(fe.validation);
    const { field, message } = validationDetails(issues[0], fe);
    return {
      status: 400,
      body: body('validation_failed', `${field} ${message}`, {
        field,
        issues: issues.map((v) => ({ path: v.instancePath, message: v.message })),
      }),
    };
  }
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        status: 413,
        body: body('payload_too_large', 'the request body is larger than allowed', { limitBytes: req.routeOptions.bodyLimit }),
      };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, body: body('invalid_json', 'the request body is not valid JSON') };
    case 'FST_ERR_BAD_URL':
      return { status: 400, body: body('validation_failed', 'the URL path is not valid percent-encoded UTF-8', { field: 'url' }) };
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return { status: 400, body: body('validation_failed', 'a path segment is longer than 100 characters', { field: 'url' }) };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, body: body('unsupported_media_type', 'send application/json') };
  }
  if (isUniqueViolation(error)) return { status: 409, body: body('conflict', 'a record with the same unique value exists') };
  if (fe.statusCode === 429) return { status: 429, body: body('rate_limited', fe.message) };
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { status: fe.statusCode, body: body('validation_failed', fe.message) };
  }
  return { status: 500, body: body('internal_error', 'an unexpected error occurred', { requestId: req.id }) };
}

/** Also Fastify's `frameworkErrors`: a URL the router cannot decode answers in the same envelope. */
export function errorHandler(error: unknown, req: FastifyRequest, reply: FastifyReply) {
  const { status, body: payload } = toErrorResponse(error, req);
  if (status >= 500) req.log.error({ err: error }, 'request failed');
  else req.log.info({ code: payload.error.code }, 'request refused');
  reply.header('x-request-id', req.id);
  return reply.status(status).send(payload);
}
