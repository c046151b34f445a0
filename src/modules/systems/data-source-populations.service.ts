// Representativeness of a data source's data (AI Act Art. 10(3)-(4), ISO 42001 A.7.4): it declares
// the reference population it should represent (group -> expected share, for one group attribute)
// and reports its group counts; each report records the chi-square goodness of fit, its p-value and
// the gap per group as a ledger event, the evidence of a bias audit of input data each time the
// dataset changes. The table keeps the latest report for reading. Proofline cannot count a changed
// dataset itself: when the data source record changes after a report, the report reads as stale,
// naming that change, until the population is reported again.
import type { RequestContext } from '../../context.js';
import type { Tx } from '../../db/store.js';
import { AppError } from '../../errors.js';
import { appendEvent } from '../../ledger/ledger.service.js';
import { type Representativeness, representativeness } from '../../monitoring/stats/representativeness.js';
import { assertExpectedVersion, assertGuardedWrite } from '../../versions.js';
import { getDataSource } from './data-sources.service.js';
import { assertMayEdit } from './systems.rules.js';

export interface PopulationReport {
  attribute: string;
  /** group -> expected share (0 to 1, adding up to 1). */
  reference: Record<string, number>;
  /** group -> rows of the data source in that group; every group must be in the reference. */
  counts: Record<string, number>;
}

/** The change of the data source record that made its last report stale. */
export interface StaleReport {
  /** The data source's version the report was made against (null: one before the current, unknown). */
  reportedAgainstVersion: number | null;
  dataSourceVersion: number;
  /** The first recorded change of the data source after the report (null when none is on record). */
  change: { changeRecordId: string; kind: string; version: number; at: string; rationale: string } | null;
}

export interface PopulationView extends PopulationReport {
  dataSourceId: string;
  systemId: string;
  result: Representativeness;
  version: number;
  updatedAt: string;
  /** Null while the report is of the data source as it is; else the change that made it stale. */
  stale: StaleReport | null;
}

type Reader = Pick<Tx, 'selectFrom'>;

export async function getDataSourcePopulation(db: Reader, dataSourceId: string): Promise<PopulationView> {
  const row = await db
    .selectFrom('data_source_populations as p')
    .innerJoin('data_sources as d', 'd.id', 'p.data_source_id')
    .selectAll('p')
    .select('d.version as current_source_version')
    .where('p.data_source_id', '=', dataSourceId)
    .executeTakeFirst();
  if (!row) {
    throw new AppError('not_found', `data source ${dataSourceId} has reported no population`, {
      resource: 'data_source_population',
      id: dataSourceId,
    });
  }
  return {
    dataSourceId,
    systemId: row.system_id,
    attribute: row.attribute,
    reference: JSON.parse(row.reference),
    counts: JSON.parse(row.counts),
    result: JSON.parse(row.result),
    version: Number(row.version),
    updatedAt: row.updated_at,
    stale: await staleness(db, {
      dataSourceId,
      reportedAgainst: row.data_source_version === null ? null : Number(row.data_source_version),
      current: Number(row.current_source_version),
    }),
  };
}

async function staleness(
  db: Reader,
  { dataSourceId, reportedAgainst, current }: { dataSourceId: string; reportedAgainst: number | null; current: number },
): Promise<StaleReport | null> {
  if (reportedAgainst === current) return null;
  const change = await db
    .selectFrom('change_records')
    .select(['id', 'change_kind', 'subject_version', 'recorded_at', 'rationale'])
    .where('subject_type', '=', 'data_source')
    .where('subject_id', '=', dataSourceId)
    .where('subject_version', '>', reportedAgainst ?? 0)
    .orderBy('subject_version')
    .limit(1)
    .executeTakeFirst();
  return {
    reportedAgainstVersion: reportedAgainst,
    dataSourceVersion: current,
    change: change
      ? {
          changeRecordId: change.id,
          kind: change.change_kind,
          version: Number(change.subject_version),
          at: change.recorded_at,
          rationale: change.rationale,
        }
      : null,
  };
}

/** Records a report of the data source's group counts against its reference population, with the
 * result as a ledger event. Refused (nothing written) when shares do not add up to 1 or a counted
 * group is not in the reference (validation_failed, by field), or the version read is stale. */
export async function reportDataSourcePopulation(
  trx: Tx,
  {
    ctx,
    dataSourceId,
    report,
    expectedVersion,
  }: { ctx: RequestContext; dataSourceId: string; report: PopulationReport; expectedVersion?: number },
): Promise<PopulationView> {
  const source = await getDataSource(trx, dataSourceId);
  assertMayEdit(ctx.actor, source.system_id, 'reporting the population of a data source');
  const result = representativeness(report.counts, report.reference);
  const before = await trx
    .selectFrom('data_source_populations')
    .select(['version', 'attribute', 'counts'])
    .where('data_source_id', '=', dataSourceId)
    .executeTakeFirst();
  const current = before ? Number(before.version) : 0;
  assertExpectedVersion(`the population of data source ${dataSourceId}`, current, expectedVersion);
  const now = new Date().toISOString();
  const version = current + 1;
  const values = {
    attribute: report.attribute,
    reference: JSON.stringify(report.reference),
    counts: JSON.stringify(report.counts),
    result: JSON.stringify(result),
    version,
    updated_by: ctx.actor.userId,
    updated_at: now,
    data_source_version: Number(source.version),
  };
  if (!before) {
    await trx
      .insertInto('data_source_populations')
      .values({ data_source_id: dataSourceId, system_id: source.system_id, ...values })
      .execute();
  } else {
    const written = await trx
      .updateTable('data_source_populations')
      .set(values)
      .where('data_source_id', '=', dataSourceId)
      .where('version', '=', current)
      .executeTakeFirst();
    assertGuardedWrite(`the population of data source ${dataSourceId}`, written, current);
  }
  await appendEvent(trx, ctx, {
    type: 'data_source.representativeness_recorded',
    subject: { type: 'ai_system', id: source.system_id },
    data: {
      systemId: source.system_id,
      dataSourceId,
      dataSourceVersion: Number(source.version),
      attribute: report.attribute,
      reference: report.reference,
      counts: report.counts,
      n: result.n,
      chiSquare: result.chiSquare,
      gaps: result.groups.map((g) => ({ group: g.group, observedShare: g.observedShare, referenceShare: g.referenceShare, gap: g.gap })),
    },
  });
  return { dataSourceId, systemId: source.system_id, ...report, result, version, updatedAt: now, stale: null };
}
