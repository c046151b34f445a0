// Request ids: an incoming X-Request-Id is kept when well-formed (so a proxy's or a client's id
// follows the request into our logs, the response and the ledger event's `requestId`), else a
// fresh UUID is made. A W3C traceparent header is parsed and its trace id logged with the request.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';

/** What an accepted X-Request-Id looks like: short, printable, no spaces or quotes. */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

const header = (req: IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
};

/** The request's id: its own X-Request-Id when well-formed, otherwise a new UUID. */
export function requestIdOf(req: IncomingMessage): string {
  const given = header(req, 'x-request-id');
  return given !== undefined && REQUEST_ID_PATTERN.test(given) ? given : randomUUID();
}

export interface TraceContext {
  traceId: string;
  parentId: string;
  flags: string;
}

// version-traceid-parentid-flags, lowercase hex (https://www.w3.org/TR/trace-context/#traceparent-header).
// Version ff is invalid; an all-zero trace or parent id is invalid; a later version may append fields.
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/** The W3C trace context of a traceparent header value, or null when it is not a valid one. */
export function parseTraceparent(value: string | undefined): TraceContext | null {
  const match = value === undefined ? null : TRACEPARENT.exec(value.trim());
  if (!match) return null;
  const [, version, traceId, parentId, flags, rest] = match;
  if (version === 'ff' || (version === '00' && rest !== undefined)) return null;
  if (/^0+$/.test(traceId) || /^0+$/.test(parentId)) return null;
  return { traceId, parentId, flags };
}

/** Bindings for a request's child logger: the trace id, when the request carries a valid traceparent. */
export function traceBindings(req: IncomingMessage): { traceId?: string } {
  const trace = parseTraceparent(header(req, 'traceparent'));
  return trace ? { traceId: trace.traceId } : {};
}

/**
 * One log line per request, written when it completes: method, URL, caller address, status and
 * time, with the request's bindings (requestId, traceId, user). Fastify's default writes two (an
 * `incoming request` line before the body is read, then `request completed`), and at the
 * production level (info) those two synchronous JSON lines cost about as much CPU as the rest of a
 * small request. A response that fails to go out is one `request errored` line, at error level.
 */
export class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    // Fastify's serializers write `req` (method, url, host, remoteAddress, remotePort) and `res` (statusCode).
    const line = { req: request, res: reply, responseTime: reply.elapsedTime };
    // request.log, not reply.log: the access hook binds the caller to the request's logger.
    if (error) request.log.error({ ...line, err: error }, 'request errored');
    else request.log.info(line, 'request completed');
  }
}
