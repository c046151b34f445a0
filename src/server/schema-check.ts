// The request schemas as validators outside Fastify: the CLI checks what it sends to a use case
// with the same TypeBox schema, the same Ajv instances (validation.ts) and the same first-problem
// message as the API.
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Static, TSchema } from 'typebox';
import { AppError } from '../errors.js';
import { bodyAjv, fieldOf, textAjv } from './validation.js';

/** The field and message of the first problem, as the API's error hook names them (`body.name`). */
export function describeProblem(first: ErrorObject | undefined, where: string, fallback: string): { field: string; message: string } {
  if (!first) return { field: where, message: fallback };
  const path = fieldOf(first);
  const field = path ? `${where}.${path}` : where;
  const message = (first.params as Record<string, unknown>)?.additionalProperty ? 'is not a known field' : (first.message ?? 'is invalid');
  return { field, message };
}

/** A compiled check of `schema`: returns the value (defaults applied) or throws `validation_failed`
 * naming the first bad field. `rename` maps a top-level field to what the caller calls it (a CLI
 * option such as `--ai-type`). */
export function schemaCheck<T extends TSchema>(
  schema: T,
  { part, rename = {} }: { part: 'body' | 'querystring'; rename?: Record<string, string> },
): (value: unknown) => Static<T> {
  // Compiled at the first check, not at import: the CLI imports every command's checks on each start
  // and runs one of them (compiling them all took half a second of each CLI process).
  let validate: ValidateFunction | undefined;
  return (value) => {
    validate ??= (part === 'body' ? bodyAjv : textAjv).compile(schema);
    if (validate(value)) return value as Static<T>;
    const { field, message } = describeProblem(validate.errors?.[0], '', 'is invalid');
    const [head, ...rest] = field.replace(/^\./, '').split('.');
    const named = [rename[head] ?? head, ...rest].join('.');
    throw new AppError('validation_failed', `${named} ${message}`, { field: named });
  };
}
