// Auditor grants (issue 12): an admin grants a named external auditor read-only access to one
// scope (a system, a framework, a period) until a date at most MAX_GRANT_DAYS ahead, and may revoke
// it. Each grant, revocation and read by its holder is a ledger event.
import { randomUUID } from 'node:crypto';
import { requireAdmin } from '../../accounts/users.policy.js';
import { findUserRow } from '../../accounts/users.repository.js';
import { createUser } from '../../accounts/users.service.js';
import type { RequestContext } from '../../context.js';
import type { Tx } from '../../db/store.js';
import { AppError, notFound } from '../../errors.js';
import { FRAMEWORK_IDS } from '../../frameworks/catalog.js';
import { appendEvent } from '../../ledger/ledger.service.js';
import { requireRationale } from '../../rationale.js';
import { findGrantRow, grantStatus, liveGrantExists } from './auditor-grants.repository.js';
import type { CreateGrantBody } from './auditor-grants.schema.js';

const DAY_MS = 86_400_000;

/** The longest a grant may run, from its creation. */
export const MAX_GRANT_DAYS = 180;

function invalid(field: string, message: string): AppError {
  return new AppError('validation_failed', `${field}: ${message}`, { field });
}

/** The auditor named by the grant: an existing account that holds only `external_auditor`, or a new
 * one created here with that role alone (so no other role widens what the grant allows). */
async function auditorOf(trx: Tx, ctx: RequestContext, grant: CreateGrantBody): Promise<string> {
  if ((grant.auditorId === undefined) === (grant.newAuditor === undefined)) {
    throw invalid('auditorId', 'name an existing user (auditorId) or a new one (newAuditor), not both or neither');
  }
  if (grant.newAuditor) {
    const created = await createUser(trx, { ctx, user: { ...grant.newAuditor, roles: ['external_auditor'] } });
    return created.id;
  }
  const userId = grant.auditorId as string;
  const user = await findUserRow(trx, userId);
  if (!user) throw notFound('user', userId);
  if (user.status !== 'active') throw new AppError('conflict', `user ${userId} is deactivated`, { field: 'auditorId' });
  const roles = await trx.selectFrom('user_roles').select(['role', 'scope']).where('user_id', '=', userId).execute();
  if (!roles.some((r) => r.role === 'external_auditor' && r.scope === '') || roles.some((r) => r.role !== 'external_auditor')) {
    throw new AppError('conflict', 'the auditor must hold the external_auditor role and no other (grant access to a new auditor instead)', {
      field: 'auditorId',
    });
  }
  return userId;
}

export async function createAuditorGrant(trx: Tx, { ctx, grant }: { ctx: RequestContext; grant: CreateGrantBody }) {
  requireAdmin(ctx, 'grant auditor access');
  const rationale = requireRationale(grant.rationale, { field: 'rationale', minimum: ctx.policies.minRationaleLength });
  const now = new Date();
  const expiresAt = new Date(grant.expiresAt);
  if (expiresAt <= now) throw invalid('expiresAt', 'must be in the future');
  if (expiresAt.getTime() - now.getTime() > MAX_GRANT_DAYS * DAY_MS) throw invalid('expiresAt', `at most ${MAX_GRANT_DAYS} days ahead`);
  if (grant.periodFrom && grant.periodTo && new Date(grant.periodFrom) >= new Date(grant.periodTo)) {
    throw invalid('periodTo', 'must be after periodFrom');
  }
  if (grant.framework !== undefined && !(FRAMEWORK_IDS as readonly string[]).includes(grant.framework)) {
    throw invalid('framework', `one of ${FRAMEWORK_IDS.join(', ')}`);
  }
  if (grant.systemId) {
    const system = await trx.selectFrom('ai_systems').select('id').where('id', '=', grant.systemId).executeTakeFirst();
    if (!system) throw notFound('AI system', grant.systemId);
  }
  const auditorId = await auditorOf(trx, ctx, grant);
  if (await liveGrantExists(trx, auditorId, now.toISOString())) {
    throw new AppError('conflict', 'this auditor already holds a live grant: revoke it first (one engagement at a time)', {
      field: 'auditorId',
    });
  }
  const id = randomUUID();
  const row = {
    id,
    auditor_id: auditorId,
    system_id: grant.systemId ?? null,
    framework: grant.framework ?? null,
    period_from: grant.periodFrom ? new Date(grant.periodFrom).toISOString() : null,
    period_to: grant.periodTo ? new Date(grant.periodTo).toISOString() : null,
    expires_at: expiresAt.toISOString(),
    rationale,
    created_by: ctx.actor.userId ?? 'system',
    created_at: now.toISOString(),
    revoked_at: null,
    revoked_by: null,
    revocation_rationale: null,
  };
  await trx.insertInto('auditor_grants').values(row).execute();
  await appendEvent(trx, ctx, {
    type: 'auditor_grant.created',
    subject: { type: 'auditor_grant', id },
    reason: rationale,
    after: {
      auditorId,
      systemId: row.system_id,
      framework: row.framework,
      periodFrom: row.period_from,
      periodTo: row.period_to,
      expiresAt: row.expires_at,
    },
    data: { auditorId, ...(row.system_id ? { systemId: row.system_id } : {}) },
  });
  return id;
}

export async function revokeAuditorGrant(
  trx: Tx,
  { ctx, grantId, rationale }: { ctx: RequestContext; grantId: string; rationale: string },
) {
  requireAdmin(ctx, 'revoke auditor access');
  const why = requireRationale(rationale, { field: 'rationale', minimum: ctx.policies.minRationaleLength });
  const row = await findGrantRow(trx, grantId);
  if (!row) throw notFound('auditor grant', grantId);
  const status = grantStatus(row);
  if (status !== 'live') throw new AppError('invalid_transition', `the grant is already ${status}`, { status });
  const now = new Date().toISOString();
  const updated = await trx
    .updateTable('auditor_grants')
    .set({ revoked_at: now, revoked_by: ctx.actor.userId ?? 'system', revocation_rationale: why })
    .where('id', '=', grantId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) !== 1) throw new AppError('conflict', 'the grant changed meanwhile', { grantId });
  await appendEvent(trx, ctx, {
    type: 'auditor_grant.revoked',
    subject: { type: 'auditor_grant', id: grantId },
    reason: why,
    data: { auditorId: row.auditor_id, ...(row.system_id ? { systemId: row.system_id } : {}) },
  });
}

export interface GrantRead {
  grantId: string;
  method: string;
  /** The route pattern (`/api/v1/systems/:id`). */
  route: string;
  /** The path and query string as asked. */
  url: string;
  query: Record<string, unknown>;
  status: number;
}

/** One request by a grant holder, written after its answer is decided, in its own transaction. */
export async function recordGrantRead(trx: Tx, { ctx, read }: { ctx: RequestContext; read: GrantRead }) {
  await appendEvent(trx, ctx, {
    type: 'auditor_grant.read',
    subject: { type: 'auditor_grant', id: read.grantId },
    data: { grantId: read.grantId, method: read.method, route: read.route, url: read.url, query: read.query, status: read.status },
  });
}
