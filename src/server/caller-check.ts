// A write request's caller, taken from memory, checked by its first write (issue 13, PostgreSQL).
// Callers are remembered per process under the auth epoch (accounts/actors.ts); a request used to
// read the epoch before anything else, one round trip of its own. A write request on PostgreSQL now
// skips that read: its first write transaction checks the epoch in the message that begins it
// (db/store.ts, proofline_auth_epoch_is), so a revocation, sign-out, deactivation or role change
// made by any process still holds on the very next request. When the epoch moved, that write wrote
// nothing and fails; the request then resolves its caller from the database, passes the access
// checks again, and its handler runs again from the start. A request that ends without a write
// that committed checks the epoch before it answers (one read, as before), so a changed caller
// never receives an answer made for who they were.
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify';
import { authEpoch } from '../accounts/actors.js';
import { runCheckingCaller, type Store } from '../db/store.js';
import { AppError } from '../errors.js';

type AccessHook = (req: FastifyRequest, reply: FastifyReply) => Promise<void>;

/** Whether the epoch has moved since the caller was remembered; marks the check done when not. */
async function callerMoved(store: Store, req: FastifyRequest): Promise<boolean> {
  const check = req.callerCheck;
  if (!check || check.checked) return false;
  if (check.moved) return true;
  if ((await authEpoch(store.db)) !== check.epoch) return true;
  check.checked = true;
  return false;
}

/** `handler` run with its writes checking the caller, and run again when the check fails. */
export function checkingCaller(handler: RouteHandlerMethod, store: Store, enforceAccess: AccessHook): RouteHandlerMethod {
  return async function handleCheckingCaller(this: FastifyInstance, req: FastifyRequest, reply: FastifyReply) {
    const check = req.callerCheck;
    if (!check) return handler.call(this, req, reply);
    let outcome: { ok: true; value: unknown } | { ok: false; error: unknown };
    try {
      outcome = { ok: true, value: await runCheckingCaller(check, async () => handler.call(this, req, reply)) };
    } catch (error) {
      outcome = { ok: false, error };
    } finally {
      check.active = false;
    }
    // Nothing committed under the check and nothing sent yet: the request may simply run again.
    if (!reply.sent && (await callerMoved(store, req))) {
      req.callerRechecked = true;
      await enforceAccess(req, reply);
      return handler.call(this, req, reply);
    }
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  };
}

/** For answers sent before the handler's end (the handler sent its own, or the request failed
 * before its handler ran) without a write that checked the caller: the answer waits for the check,
 * and a caller who changed meanwhile gets, instead, the refusal they now earn or, for a success
 * made for who they were, a conflict (nothing was written; they may send it again). An error
 * answer to a caller who still passes the access checks stands (bad input stays a 400). */
export function checkCallerBeforeSending(store: Store, enforceAccess: AccessHook) {
  return async function checkCallerOnSend(req: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
    if (!(await callerMoved(store, req))) return payload;
    const before = JSON.stringify(req.actor);
    (req.callerCheck as { checked: boolean }).checked = true;
    req.callerRechecked = true;
    let refusal: AppError | null = null;
    try {
      await enforceAccess(req, reply);
      // A refusal of the input or of the request (4xx, 5xx) wrote nothing and tells nothing the
      // caller may no longer know: it stands. An answer made for who they were does not.
      if (reply.statusCode < 400 && JSON.stringify(req.actor) !== before) {
        refusal = new AppError('conflict', 'your account changed while this request ran; nothing was written: send it again');
      }
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      refusal = error;
    }
    if (!refusal) return payload;
    reply.code(refusal.status).header('content-type', 'application/json; charset=utf-8');
    return JSON.stringify({ error: { code: refusal.code, message: refusal.message, details: refusal.details } });
  };
}
