// Who a CLI command acts as: the named user of `--as EMAIL` (with the roles held now), or
// Proofline's own system actor for maintenance.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { type RequestContext, systemContext } from '../context.js';
import type { Database } from '../db/schema.js';
import { AppError } from '../errors.js';
import { loadRoles } from '../modules/auth/actors.js';

export async function cliContext(db: Kysely<Database>, email: string | undefined): Promise<RequestContext> {
  const requestId = `cli-${randomUUID()}`;
  if (!email) return systemContext(requestId);
  const user = await db
    .selectFrom('users')
    .select(['id', 'email', 'display_name', 'status'])
    .where('email', '=', email.trim().toLowerCase())
    .executeTakeFirst();
  if (!user || user.status !== 'active') throw new AppError('not_found', `--as ${email}: no active user with that email`);
  const roles = await loadRoles(db, user.id);
  return {
    actor: { kind: 'user', userId: user.id, email: user.email, displayName: user.display_name, ...roles },
    requestId,
    sourceAddress: null,
  };
}
