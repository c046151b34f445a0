// Model versions of an AI system: registering one (its artifact digest, training data, parameters)
// and deploying it, which needs a completed approval. Events have the system as their subject so
// the system's timeline shows them; the version's id is in `data`. Each event is also indexed by a
// change record with the model version as its subject (and so its parameters, training data, status).
import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../../context.js';
import type { Tx } from '../../db/store.js';
import { AppError } from '../../errors.js';
import { recordChange } from '../../governance/change-records.service.js';
import { assertDeploymentAllowed, authorityData, type ChangeAuthority } from '../../governance/governed-changes.js';
import type { EventInput } from '../../ledger/ledger.service.js';
import { type ModelVersionRow, presentModelVersion } from './systems.presenter.js';
import { getSystem, getSystemRecord, listSystemRecords } from './systems.repository.js';
import { assertMayEdit } from './systems.rules.js';

export interface NewModelVersion {
  label: string;
  artifactSha256: string;
  trainingDataRefs?: string[];
  parameters?: Record<string, unknown>;
  notes?: string;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** The evidence of a model version's change, written once: its event (filed under the system, the
 * version's id in `data`) with the change record it indexes (the version as its subject, with its
 * parameters, training data and status); `before` is null when it is registered. */
async function recordModelVersionChange(
  trx: Tx,
  ctx: RequestContext,
  {
    event,
    before,
    after,
    rationale,
    authority = {},
  }: {
    event: Omit<EventInput, 'subject'>;
    before: ModelVersionRow | null;
    after: ModelVersionRow;
    rationale: string;
    authority?: ChangeAuthority;
  },
) {
  await recordChange(trx, {
    ctx,
    event: {
      ...event,
      subject: { type: 'ai_system', id: after.system_id },
      data: { systemId: after.system_id, modelVersionId: after.id, ...event.data, ...authorityData(authority) },
    },
    change: {
      subjectType: 'model_version',
      subjectId: after.id,
      systemId: after.system_id,
      subjectVersion: Number(after.version),
      changeKind: event.type,
      before: before ? presentModelVersion(before) : null,
      after: presentModelVersion(after),
      rationale,
      approvalRequestId: authority.approvalRequestId ?? null,
      exceptionId: authority.exceptionId ?? null,
    },
  });
}

export async function registerModelVersion(
  trx: Tx,
  { ctx, systemId, input }: { ctx: RequestContext; systemId: string; input: NewModelVersion },
): Promise<ModelVersionRow> {
  await getSystem(trx, systemId);
  assertMayEdit(ctx.actor, systemId, 'registering a model version');
  const digest = input.artifactSha256.trim().toLowerCase();
  if (!SHA256_HEX.test(digest)) {
    throw new AppError('validation_failed', 'artifactSha256: must be a SHA-256 digest, 64 hexadecimal digits', { field: 'artifactSha256' });
  }
  const label = input.label.trim();
  if (!label) throw new AppError('validation_failed', 'label: must not be blank', { field: 'label' });
  const taken = await trx
    .selectFrom('model_versions')
    .select('id')
    .where('system_id', '=', systemId)
    .where('label', '=', label)
    .executeTakeFirst();
  if (taken) throw new AppError('conflict', `system ${systemId} already has a model version labelled ${label}`, { field: 'label' });
  const row: ModelVersionRow = {
    id: randomUUID(),
    system_id: systemId,
    label,
    artifact_sha256: digest,
    training_data_refs: JSON.stringify(input.trainingDataRefs ?? []),
    parameters: JSON.stringify(input.parameters ?? {}),
    registered_by: ctx.actor.userId,
    notes: input.notes ?? '',
    status: 'registered',
    deployed_at: null,
    created_at: new Date().toISOString(),
    version: 1,
  };
  await trx.insertInto('model_versions').values(row).execute();
  await recordModelVersionChange(trx, ctx, {
    event: { type: 'model_version.registered', after: presentModelVersion(row) },
    before: null,
    after: row,
    rationale: row.notes,
  });
  return row;
}

export function getModelVersion(db: Tx, id: string): Promise<ModelVersionRow> {
  return getSystemRecord(db, 'model_versions', id);
}

export function listModelVersions(db: Tx, systemId: string): Promise<ModelVersionRow[]> {
  return listSystemRecords(db, 'model_versions', systemId);
}

/** Marks a version deployed; the one deployed before it, if any, is retired with its own event
 * (`model_version.retired`, naming the version that superseded it and the authority) and change
 * record. Needs a completed approval, or the exception of an emergency deployment. */
export async function deployModelVersion(
  trx: Tx,
  { ctx, modelVersionId, rationale, ...authority }: { ctx: RequestContext; modelVersionId: string; rationale?: string } & ChangeAuthority,
): Promise<ModelVersionRow> {
  const before = await getModelVersion(trx, modelVersionId);
  assertMayEdit(ctx.actor, before.system_id, 'deploying a model version');
  if (before.status !== 'registered') throw new AppError('invalid_transition', `model version ${modelVersionId} is ${before.status}`);
  const system = await getSystem(trx, before.system_id);
  await assertDeploymentAllowed(trx, { system, modelVersionId, label: before.label, authority });
  const replaced = (await listModelVersions(trx, before.system_id)).filter((row) => row.status === 'deployed');
  const after: ModelVersionRow = {
    ...before,
    status: 'deployed',
    deployed_at: new Date().toISOString(),
    version: Number(before.version) + 1,
  };
  await trx
    .updateTable('model_versions')
    .set({ status: after.status, deployed_at: after.deployed_at, version: after.version })
    .where('id', '=', modelVersionId)
    .execute();
  await recordModelVersionChange(trx, ctx, {
    event: {
      type: 'model_version.deployed',
      before: { status: before.status, deployedAt: before.deployed_at },
      after: { status: after.status, deployedAt: after.deployed_at },
      data: { retired: replaced.map((r) => r.id) },
    },
    before,
    after,
    rationale: rationale?.trim() ?? '',
    authority,
  });
  for (const old of replaced) await retireModelVersion(trx, ctx, { old, supersededBy: after, authority });
  return after;
}

/** The version a deployment superseded: retired under the same authority, with its own evidence. */
async function retireModelVersion(
  trx: Tx,
  ctx: RequestContext,
  { old, supersededBy, authority }: { old: ModelVersionRow; supersededBy: ModelVersionRow; authority: ChangeAuthority },
) {
  const retired: ModelVersionRow = { ...old, status: 'retired', version: Number(old.version) + 1 };
  await trx.updateTable('model_versions').set({ status: retired.status, version: retired.version }).where('id', '=', old.id).execute();
  const reason = `superseded by model version ${supersededBy.label} (${supersededBy.id})`;
  await recordModelVersionChange(trx, ctx, {
    event: {
      type: 'model_version.retired',
      before: { status: old.status },
      after: { status: retired.status },
      reason,
      data: { label: old.label, supersededBy: supersededBy.id, supersededByLabel: supersededBy.label },
    },
    before: old,
    after: retired,
    rationale: reason,
    authority,
  });
}
