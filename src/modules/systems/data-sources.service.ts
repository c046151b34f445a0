// Data sources of an AI system (ISO 42001 A.7): what data it uses, whether personal data is in it,
// where it comes from and who answers for it. Events have the system as their subject; each change's
// event is indexed by a change record. Adding or updating a data source is governed (systems.rules.ts).
import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../../context.js';
import type { Tx } from '../../db/store.js';
import { recordChange } from '../../governance/change-records.service.js';
import { assertGovernedChangeAllowed, authorityData, type ChangeAuthority } from '../../governance/governed-changes.js';
import { assertExpectedVersion, assertGuardedWrite } from '../../versions.js';
import { type DataSourceRow, diffViews, presentDataSource } from './systems.presenter.js';
import { assertActiveUser, getSystem, getSystemRecord, listSystemRecords } from './systems.repository.js';
import { assertMayEdit } from './systems.rules.js';

export interface NewDataSource {
  name: string;
  kind: string;
  containsPersonalData: boolean;
  provenance?: string;
  ownerId?: string | null;
}

export type DataSourceChanges = Partial<NewDataSource>;

/** The evidence of a data source's change, written once: its event (filed under the system, the
 * source's id in `data`) with the change record it indexes; `before` is null when it is added. */
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
  const afterView = presentDataSource(after);
  const beforeView = before && presentDataSource(before);
  const diff = beforeView ? diffViews(beforeView, afterView) : { before: undefined, after: afterView };
  // The record has its own time, so updatedAt is left out of its snapshots.
  const state = ({ updatedAt: _updatedAt, ...view }: typeof afterView) => view;
  await recordChange(trx, {
    ctx,
    event: {
      type,
      subject: { type: 'ai_system', id: after.system_id },
      before: diff.before,
      after: diff.after,
      data: { systemId: after.system_id, dataSourceId: after.id, ...authorityData(authority) },
    },
    change: {
      subjectType: 'data_source',
      subjectId: after.id,
      systemId: after.system_id,
      subjectVersion: Number(after.version),
      changeKind: type,
      before: beforeView && state(beforeView),
      after: state(afterView),
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
  await recordDataSourceChange(trx, ctx, 'data_source.added', { before: null, after: row, rationale, authority });
  return row;
}

export function getDataSource(db: Tx, id: string): Promise<DataSourceRow> {
  return getSystemRecord(db, 'data_sources', id);
}

export function listDataSources(db: Tx, systemId: string): Promise<DataSourceRow[]> {
  return listSystemRecords(db, 'data_sources', systemId);
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
  assertExpectedVersion(`data source ${dataSourceId}`, Number(before.version), expectedVersion);
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
  const result = await trx
    .updateTable('data_sources')
    .set(columns)
    .where('id', '=', dataSourceId)
    .where('version', '=', Number(before.version))
    .executeTakeFirst();
  assertGuardedWrite(`data source ${dataSourceId}`, result, Number(before.version));
  await recordDataSourceChange(trx, ctx, 'data_source.updated', { before, after, rationale, authority });
  return after;
}
