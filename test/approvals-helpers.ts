// Helpers for approval tests: people in the usual roles, a model version, decisions over HTTP.
import { randomBytes, randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { systemContext } from '../src/context.js';
import { appendEvent } from '../src/ledger/ledger.service.js';
import type { TestApp, TestUser } from './app.js';

export const RATIONALE = 'Reviewed the evidence and the risk assessment';

/** A registered model version, written as the inventory does (row plus ledger event). */
export async function registerModel(t: TestApp, systemId: string, label = `v${randomBytes(3).toString('hex')}`) {
  const row = {
    id: randomUUID(),
    system_id: systemId,
    label,
    artifact_sha256: randomBytes(32).toString('hex'),
    training_data_refs: JSON.stringify(['s3://bucket/train.parquet']),
    parameters: JSON.stringify({ threshold: 0.7 }),
    registered_by: null,
    notes: '',
    status: 'registered' as const,
    deployed_at: null,
    created_at: new Date().toISOString(),
    version: 1,
  };
  await t.store.transact(async (trx) => {
    await trx.insertInto('model_versions').values(row).execute();
    await appendEvent(trx, systemContext('test'), {
      type: 'model_version.registered',
      subject: { type: 'model_version', id: row.id, version: 1 },
      after: { label, artifactSha256: row.artifact_sha256, parameters: { threshold: 0.7 }, status: 'registered', version: 1 },
      data: { systemId, modelVersionId: row.id },
    });
  });
  return row;
}

export async function requestApproval(
  t: TestApp,
  user: TestUser,
  body: Record<string, unknown>,
): Promise<{ id: string; contentDigest: string }> {
  const res = await t.call(user, 'POST', '/api/v1/approvals/requests', {
    title: 'Please approve',
    justification: 'Needed for the Q3 release',
    ...body,
  });
  if (res.statusCode !== 201) throw new Error(`request failed: ${res.statusCode} ${res.body}`);
  return res.json();
}

/** Reads the request's current digest and decides on it. */
export async function decide(
  t: TestApp,
  user: TestUser,
  requestId: string,
  extra: Record<string, unknown> = {},
): Promise<LightMyRequestResponse> {
  const current = await t.call(user, 'GET', `/api/v1/approvals/requests/${requestId}`);
  const digest = current.json().contentDigest as string;
  return t.call(user, 'POST', `/api/v1/approvals/requests/${requestId}/decisions`, {
    decision: 'approve',
    rationale: RATIONALE,
    contentDigest: digest,
    ...extra,
  });
}

export const errorCode = (res: LightMyRequestResponse) => (res.json() as { error?: { code: string } }).error?.code;
