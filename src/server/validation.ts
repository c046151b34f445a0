// The JSON Schema validators the API uses, shared with the code that checks the same shapes outside
// a request (the inventory import): one Ajv per kind of input, so a schema compiled for a route and
// for an import row is one compiled function with one set of formats and the same limits.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { isDateTime } from './input.js';

function newAjv(coerceTypes: false | 'array'): Ajv {
  const ajv = new Ajv({ removeAdditional: false, coerceTypes, useDefaults: true, allErrors: false });
  addFormats.default(ajv);
  ajv.addFormat('date-time', { type: 'string', validate: isDateTime });
  ajv.addKeyword('example');
  return ajv;
}

/** JSON bodies: types as sent, never coerced. */
export const bodyAjv = newAjv(false);
/** Query strings and path params are text, coerced to the schema's types. */
export const textAjv = newAjv('array');

/** The validator of a JSON body shape; Ajv caches by schema, so a route's schema compiles once. */
export function compileBody<T>(schema: object): ValidateFunction<T> {
  return bodyAjv.compile<T>(schema);
}

/** The dotted field an Ajv error is about (`description`, `links.0.url`), the unknown or missing
 * property included: one naming for the API's errors, the CLI's and the import's. */
export function fieldOf(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  const path = (error.instancePath || '').replace(/^\//, '').replace(/\//g, '.');
  const extra = params?.additionalProperty ?? params?.missingProperty;
  if (extra === undefined) return path;
  return path ? `${path}.${String(extra)}` : String(extra);
}

/** An Ajv error as the import names it: the field and the message. */
export function schemaProblem(error: ErrorObject): { field: string; message: string } {
  const params = error.params as Record<string, unknown>;
  const path = fieldOf(error);
  if (params?.additionalProperty) return { field: path, message: 'is not a known field' };
  if (params?.missingProperty) return { field: path, message: 'is required' };
  return { field: path, message: error.message ?? 'is invalid' };
}
