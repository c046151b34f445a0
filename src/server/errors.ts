// The one place where errors become HTTP answers: AppError codes, validation, body limits and
// driver errors (unique violation -> 409). Unknown errors: logged, 500 with the request id only.
import type { ErrorObject } from 'ajv';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type ErrorCode } from '../errors.js';
import { describeProblem } from './schema-check.js';

interface ErrorBody {
  error: { code: ErrorCode; message: string; details: Record<string, unknown> };
}

function body(code: ErrorCode, message: string, details: Record<string, unknown> = {}): ErrorBody {
  return { error: { code, message, details } };
}

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

function validationDetails(error: FastifyError): { field: string; message: string } {
  return describeProblem(error.validation?.[0] as ErrorObject | undefined, error.validationContext ?? 'body', error.message);
}

export function toErrorResponse(error: unknown, req: FastifyRequest): { status: number; body: ErrorBody } {
  if (error instanceof AppError) return { status: error.status, body: body(error.code, error.message, error.details) };
  const fe = error as FastifyError;
  if (fe.validation) {
    const { field, message } = validationDetails(fe);
    return {
      status: 400,
      body: body('validation_failed', `${field} ${message}`, {
        field,
        issues: fe.validation.map((v) => ({ path: v.instancePath, message: v.message })),
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
