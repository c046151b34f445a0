// Mergeable confusion counts per system, hour of decision time, model version and group combination
// (issue 11): each outcome batch adds its counts in its own transaction, so the fairness report over
// a million outcomes reads a few hundred rows instead of sorting the million. Exact for any window:
// the hours wholly inside it come from here, the rest of it (at most the partial hour at each edge)
// from the outcomes themselves.
//
// Buckets are the first 13 characters of decided_at ('2026-11-27T10'), compared as text like the
// report's window always was, so no format is assumed: the outcomes of bucket b are exactly those
// whose decided_at lies in [b, inc(b)), inc incrementing b's last character.
import type { Insertable } from 'kysely';
import { sql } from 'kysely';
import type { Tx } from '../../db/store.js';
import { type ConfusionCounts, mergeCounts } from '../../monitoring/stats/confusion.js';
import { type GroupCounts, groupKey } from '../../monitoring/stats/groups.js';
import type { DecisionOutcomesTable, OutcomeRollupsTable } from './monitoring.tables.js';
import type { Window } from './reports.service.js';

export const BUCKET_LENGTH = 13;
/** No model version, no group attributes: key columns are never null. */
const NO_VERSION = '';
const NO_GROUPS = '{}';
/** Rows per upsert statement: 8 parameters each, within both databases' limits. */
const UPSERT_CHUNK = 1000;

type Cell = Insertable<OutcomeRollupsTable> & ConfusionCounts;

/** Adds a batch's outcomes to their rollups (one upsert per 1,000 distinct cells, in key order so
 * that concurrent batches on PostgreSQL take their row locks in the same order). Cells are found per
 * (system, bucket, model version), then per group combination: a batch's outcomes mostly share the
 * first with the outcome before them, so no key is built per outcome. */
export async function addToRollups(trx: Tx, outcomes: ReadonlyArray<Insertable<DecisionOutcomesTable>>): Promise<void> {
  const cells = new Map<string, Map<string, Cell>>(); // system \0 bucket \0 version -> group combination -> cell
  let system = '';
  let bucket = '';
  let version = '';
  let byGroups: Map<string, Cell> | undefined;
  for (const o of outcomes) {
    const outcomeVersion = o.model_version_id ?? NO_VERSION;
    if (byGroups === undefined || o.system_id !== system || outcomeVersion !== version || !o.decided_at.startsWith(bucket)) {
      system = o.system_id;
      bucket = o.decided_at.slice(0, BUCKET_LENGTH);
      version = outcomeVersion;
      const key = `${system}\u0000${bucket}\u0000${version}`;
      byGroups = cells.get(key) ?? cells.set(key, new Map()).get(key);
    }
    const groups = (o.group_attributes as string | null | undefined) ?? NO_GROUPS;
    let cell = byGroups?.get(groups);
    if (cell === undefined) {
      cell = { system_id: system, bucket, model_version_id: version, group_attributes: groups, tp: 0, fp: 0, tn: 0, fn: 0 };
      byGroups?.set(groups, cell);
    }
    if (o.predicted === 1) {
      if (o.actual === 1) cell.tp += 1;
      else cell.fp += 1;
    } else if (o.actual === 1) cell.fn += 1;
    else cell.tn += 1;
  }
  // Ordered by system, bucket and version, then group combination: the same order in every batch.
  const rows: Cell[] = [];
  for (const key of [...cells.keys()].sort()) {
    const inner = cells.get(key) as Map<string, Cell>;
    for (const groups of [...inner.keys()].sort()) rows.push(inner.get(groups) as Cell);
  }
  for (let i = 0; i < rows.length; i += UPSERT_CHUNK) {
    await trx
      .insertInto('outcome_rollups')
      .values(rows.slice(i, i + UPSERT_CHUNK))
      .onConflict((oc) =>
        oc.columns(['system_id', 'bucket', 'model_version_id', 'group_attributes']).doUpdateSet((eb) => ({
          tp: eb('outcome_rollups.tp', '+', eb.ref('excluded.tp')),
          fp: eb('outcome_rollups.fp', '+', eb.ref('excluded.fp')),
          tn: eb('outcome_rollups.tn', '+', eb.ref('excluded.tn')),
          fn: eb('outcome_rollups.fn', '+', eb.ref('excluded.fn')),
        })),
      )
      .execute();
  }
}

/** A window [from, to) as the buckets wholly inside it and the decision-time ranges left over. */
export interface WindowSplit {
  /** Buckets b with from <= b < before (either bound absent: unbounded). */
  buckets: { from?: string; before?: string };
  /** Ranges [from, to) of decided_at outside those buckets, disjoint, at most two. */
  edges: Window[];
}

const increment = (text: string) => text.slice(0, -1) + String.fromCharCode(text.charCodeAt(text.length - 1) + 1);

/**
 * Splits a window, comparing as text. Bucket b lies wholly at or after `from` exactly when b >= from
 * (b is the least text it prefixes), i.e. for decided_at >= low, low = from when from is at most a
 * bucket long and inc(from's bucket) otherwise; it lies wholly before `to` exactly when b < high, high
 * = to's first 13 characters. Outcomes (every decided_at at least 13 characters, a date-time) in
 * [low, high) are in those buckets; the rest of the window is [from, low) and [high, to).
 * @example splitWindow({ from: '2026-11-27T10:30:00Z', to: '2026-11-28T00:00:00Z' })
 * // buckets 2026-11-27T11 to 2026-11-27T23; edges [from, 2026-11-27T11) and [2026-11-28T00, to)
 */
export function splitWindow({ from, to }: Window): WindowSplit {
  const low = from === undefined ? undefined : from.length <= BUCKET_LENGTH ? from : increment(from.slice(0, BUCKET_LENGTH));
  const high = to?.slice(0, BUCKET_LENGTH);
  const edges: Window[] = [];
  if (from !== undefined && low !== undefined) {
    const end = to !== undefined && to < low ? to : low;
    if (from < end) edges.push({ from, to: end });
  }
  if (to !== undefined && high !== undefined) {
    const start = low !== undefined && low > high ? low : high;
    if (start < to) edges.push({ from: start, to });
  }
  return { buckets: { from, before: high }, edges };
}

const confusionSql = {
  tp: sql<number>`sum(case when o.predicted = 1 and o.actual = 1 then 1 else 0 end)`,
  fp: sql<number>`sum(case when o.predicted = 1 and o.actual = 0 then 1 else 0 end)`,
  tn: sql<number>`sum(case when o.predicted = 0 and o.actual = 0 then 1 else 0 end)`,
  fn: sql<number>`sum(case when o.predicted = 0 and o.actual = 1 then 1 else 0 end)`,
};

interface CountsRow {
  group_attributes: unknown;
  tp: unknown;
  fp: unknown;
  tn: unknown;
  fn: unknown;
}

/** What an outcome batch accepts as an attribute name (outcomes.service.ts). */
const ATTRIBUTE_NAME = /^[a-z][a-z0-9_]{0,49}$/;

/**
 * A system's confusion counts in a window per group of the named attributes (several: their
 * intersections), ordered by group. An outcome lacking an attribute is in the group where it is null.
 */
export async function countsByGroup(
  trx: Tx,
  { systemId, groupBy, window }: { systemId: string; groupBy: string[]; window: Window },
): Promise<GroupCounts[]> {
  const { buckets, edges } = splitWindow(window);
  const rows: CountsRow[] = await trx
    .selectFrom('outcome_rollups as r')
    .where('r.system_id', '=', systemId)
    .$if(buckets.from !== undefined, (q) => q.where('r.bucket', '>=', buckets.from as string))
    .$if(buckets.before !== undefined, (q) => q.where('r.bucket', '<', buckets.before as string))
    .select([
      'r.group_attributes',
      sql<number>`sum(r.tp)`.as('tp'),
      sql<number>`sum(r.fp)`.as('fp'),
      sql<number>`sum(r.tn)`.as('tn'),
      sql<number>`sum(r.fn)`.as('fn'),
    ])
    .groupBy('r.group_attributes')
    .execute();
  for (const edge of edges) {
    rows.push(
      ...(await trx
        .selectFrom('decision_outcomes as o')
        .where('o.system_id', '=', systemId)
        .where('o.decided_at', '>=', edge.from as string)
        .where('o.decided_at', '<', edge.to as string)
        .select([
          'o.group_attributes',
          confusionSql.tp.as('tp'),
          confusionSql.fp.as('fp'),
          confusionSql.tn.as('tn'),
          confusionSql.fn.as('fn'),
        ])
        .groupBy('o.group_attributes')
        .execute()),
    );
  }
  // Each stored combination projected onto the requested attributes, as `->>` reads a member.
  const names = groupBy.map((name) => (ATTRIBUTE_NAME.test(name) ? name : null));
  const groups = new Map<string, GroupCounts>();
  for (const row of rows) {
    const stored = parseGroups(row.group_attributes);
    const attributes: Record<string, string | null> = {};
    groupBy.forEach((name, i) => {
      const value = names[i] !== null && Object.hasOwn(stored, name) ? stored[name] : null;
      attributes[name] = typeof value === 'string' ? value : null;
    });
    const counts = { tp: Number(row.tp), fp: Number(row.fp), tn: Number(row.tn), fn: Number(row.fn) };
    const key = groupKey(groupBy, attributes);
    const group = groups.get(key);
    if (group) group.counts = mergeCounts(group.counts, counts);
    else groups.set(key, { attributes, counts });
  }
  return [...groups.keys()].sort().map((key) => groups.get(key) as GroupCounts);
}

/** The stored group attributes: text on SQLite, parsed jsonb on PostgreSQL, null (raw rows) for none. */
function parseGroups(value: unknown): Record<string, unknown> {
  if (value === null || value === undefined) return {};
  return (typeof value === 'string' ? JSON.parse(value) : value) as Record<string, unknown>;
}
