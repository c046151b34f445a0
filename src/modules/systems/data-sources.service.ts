// Data sources of an AI system (ISO 42001 A.7): what data it uses, whether personal data is in it,
// where it comes from and who answers for it. Events have the system as their subject; each change
// also writes a change record. Adding or updating a data source is governed (systems.rules.ts).
import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../../context.js';
import type { Tx } from '../../db/store.js';
import { notFound } from '../../errors.js';
import { recordChange } from '../../governance/change-records.service.js';
import { assertGovernedChangeAllowed, authorityData, type ChangeAuthority } from '../../governance/governed-changes.js';
import { appendEvent } from '../../ledger/ledger.service.js';
import { type DataSourceRow, diffViews, presentDataSource } from './systems.presenter.js';
import { assertActiveUser, getSystem } from './systems.repository.js';
import { assertMayEdit, assertVersion } from './systems.rules.js';

export interface NewDataSource {
  name: string;
  kind: string;
  containsPersonalData: boolean;
  provenance?: string;
  ownerId?: string | null;
}

export type DataSourceChanges = Partial<NewDataSource>;

const DATA_SOURCE_COLUMNS = [
  'id',
  'system_id',
  'name',
  'kind',
  'contains_personal_data',
  'provenance',
  'owner_id',
  'created_at',
  'updated_at',
  'version',
] as const;

/** A data source as its change records keep it; the record has its own time. */
function dataSourceState(row: DataSourceRow) {
  const { updatedAt: _updatedAt, ...view } = presentDataSource(row);
  return view;
}

async function recordDataSourceChange(
  trx: Tx,
  ctx: RequestContext,
  type: string,
  {
    before,
    after,
    rationale,
    authority,
  }: { before: DataSourceRow | null; after: DataSourceRow; rationale?: string; authority: ChangeAuthority },
) {
  await recordChange(trx, {
    ctx,
    change: {
      subjectType: 'data_source',
      subjectId: after.id,
      systemId: after.system_id,
      subjectVersion: Number(after.version),
      changeKind: type,
      before: before ? dataSourceState(before) : null,
      after: dataSourceState(after),
      rationale: rationale?.trim() ?? '',
      approvalRequestId: authority.approvalRequestId ?? null,
      exceptionId: authority.exceptionId ?? null,
    },
  });
}

export async function addDataSource(
  trx: Tx,
  {
    ctx,
    systemId,
    input,
    rationale,
    ...authority
  }: { ctx: RequestContext; systemId: string; input: NewDataSource; rationale?: string } & ChangeAuthority,
): Promise<DataSourceRow> {
  const system = await getSystem(trx, systemId);
  assertMayEdit(ctx.actor, systemId, 'adding a data source');
  await assertGovernedChangeAllowed(trx, { system, kind: 'data_source_change', authority, target: { action: 'add', id: null } });
  if (input.ownerId) await assertActiveUser(trx, input.ownerId, 'ownerId');
  const now = new Date().toISOString();
  const row: DataSourceRow = {
    id: randomUUID(),
    system_id: systemId,
    name: input.name.trim(),
    kind: input.kind.trim(),
    contains_personal_data: input.containsPersonalData ? 1 : 0,
    provenance: input.provenance ?? '',
    owner_id: input.ownerId ?? null,
    created_at: now,
    updated_at: now,
    version: 1,
  };
  await trx.insertInto('data_sources').values(row).execute();
  await appendEvent(trx, ctx, {
    type: 'data_source.added',
    subject: { type: 'ai_system', id: systemId },
    after: presentDataSource(row),
    data: { systemId, dataSourceId: row.id, ...authorityData(authority) },
  });
  await recordDataSourceChange(trx, ctx, 'data_source.added', { before: null, after: row, rationale, authority });
  return row;
}

export async function getDataSource(db: Tx, id: string): Promise<DataSourceRow> {
  const row = await db.selectFrom('data_sources').select(DATA_SOURCE_COLUMNS).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('data source', id);
  return row;
}

export async function listDataSources(db: Tx, systemId: string): Promise<DataSourceRow[]> {
  return db
    .selectFrom('data_sources')
    .select(DATA_SOURCE_COLUMNS)
    .where('system_id', '=', systemId)
    .orderBy('name')
    .orderBy('id')
    .execute();
}

export async function updateDataSource(
  trx: Tx,
  {
    ctx,
    dataSourceId,
    expectedVersion,
    changes,
    rationale,
    ...authority
  }: {
    ctx: RequestContext;
    dataSourceId: string;
    expectedVersion?: number;
    changes: DataSourceChanges;
    rationale?: string;
  } & ChangeAuthority,
): Promise<DataSourceRow> {
  const before = await getDataSource(trx, dataSourceId);
  assertMayEdit(ctx.actor, before.system_id, 'updating a data source');
  assertVersion(Number(before.version), expectedVersion, `data source ${dataSourceId}`);
  const system = await getSystem(trx, before.system_id);
  await assertGovernedChangeAllowed(trx, { system, kind: 'data_source_change', authority, target: { action: 'update', id: dataSourceId } });
  if (changes.ownerId) await assertActiveUser(trx, changes.ownerId, 'ownerId');
  const after: DataSourceRow = {
    ...before,
    name: changes.name?.trim() ?? before.name,
    kind: changes.kind?.trim() ?? before.kind,
    contains_personal_data:
      changes.containsPersonalData === undefined ? before.contains_personal_data : changes.containsPersonalData ? 1 : 0,
    provenance: changes.provenance ?? before.provenance,
    owner_id: changes.ownerId === undefined ? before.owner_id : changes.ownerId,
    updated_at: new Date().toISOString(),
    version: Number(before.version) + 1,
  };
  const { id: _id, system_id: _s, created_at: _c, ...columns } = after;
  await trx.updateTable('data_sources').set(columns).where('id', '=', dataSourceId).where('version', '=', Number(before.version)).execute();
  const diff = diffViews(presentDataSource(before), presentDataSource(after));
  await appendEvent(trx, ctx, {
    type: 'data_source.updated',
    subject: { type: 'ai_system', id: before.system_id },
    before: diff.before,
    after: diff.after,
    data: { systemId: before.system_id, dataSourceId, ...authorityData(authority) },
  });
  await recordDataSourceChange(trx, ctx, 'data_source.updated', { before, after, rationale, authority });
  return after;
}
