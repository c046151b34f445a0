// Who may manage accounts. Enforced in the use cases (the routes' access policies only mirror it):
// admins manage users, roles and other people's tokens; the system actor (first start, CLI
// maintenance) may do what an admin may; an auditor reads everything and changes nothing.
import { type Actor, hasRole, mayWrite, type RequestContext } from '../context.js';
import { AppError } from '../errors.js';

export const isAdmin = (actor: Actor) => actor.kind === 'system' || hasRole(actor, 'admin');

export function requireAdmin(ctx: RequestContext, action: string): void {
  if (!isAdmin(ctx.actor)) throw new AppError('forbidden', `only an admin may ${action}`, { required: ['admin'] });
}

/** Refuses callers who may not change anything (only `auditor`, or no role at all). */
export function requireWriter(ctx: RequestContext): void {
  if (!mayWrite(ctx.actor)) {
    throw new AppError('forbidden', 'this account may read but not change anything', { required: 'a role other than auditor' });
  }
}

/** The acting user's id; the system actor has none. */
export function actingUserId(ctx: RequestContext): string {
  if (!ctx.actor.userId) throw new AppError('forbidden', 'this needs a signed-in user, not the system actor');
  return ctx.actor.userId;
}
