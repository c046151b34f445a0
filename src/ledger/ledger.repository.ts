// Typed reads of the ledger: events, the head, Merkle nodes and checkpoints.
import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/schema.js';
import type { PageOf } from '../server/http.js';
import { type MerkleNode, type NodeId, rootHash } from './merkle.js';

export interface EventFilter {
  subjectType?: string;
  subjectId?: string;
  actorId?: string;
  type?: string;
  /** Any of these types (the event types that can evidence a control: frameworks/evidence.ts). */
  types?: readonly string[];
  /** The AI system the event concerns (the system index, `system-index.ts`). */
  systemId?: string;
  from?: string;
  to?: string;
  /** Only events after this sequence number (keyset paging). */
  afterSeq?: number;
  limit: number;
  offset: number;
}

export interface EventRecord {
  seq: number;
  eventId: string;
  type: string;
  recordedAt: string;
  leafHash: string;
  event: Record<string, unknown>;
}

export type EventSelection = Omit<EventFilter, 'limit' | 'offset'>;

const isFiltered = (f: EventSelection) =>
  Boolean(f.subjectType || f.subjectId || f.actorId || f.type || f.types || f.systemId || f.from || f.to || f.afterSeq !== undefined);

/** The events matching `filter`, each filter column an indexed (column, seq) read. */
function selectEvents(db: Kysely<Database>, filter: EventSelection) {
  let query = db.selectFrom('ledger_events');
  if (filter.subjectType) query = query.where('subject_type', '=', filter.subjectType);
  if (filter.subjectId) query = query.where('subject_id', '=', filter.subjectId);
  if (filter.actorId) query = query.where('actor_id', '=', filter.actorId);
  if (filter.type) query = query.where('type', '=', filter.type);
  if (filter.types) query = filter.types.length > 0 ? query.where('type', 'in', filter.types) : query.where('seq', '<', 0);
  if (filter.systemId) query = query.where('system_id', '=', filter.systemId);
  if (filter.from) query = query.where('recorded_at', '>=', new Date(filter.from).toISOString());
  if (filter.to) query = query.where('recorded_at', '<', new Date(filter.to).toISOString());
  if (filter.afterSeq !== undefined) query = query.where('seq', '>', filter.afterSeq);
  return query;
}

// The leaf is parsed anyway: what it says is the record, not the index columns beside it.
function toEventRecord(r: { seq: number; leaf: string; leaf_hash: Uint8Array }): EventRecord {
  const event = JSON.parse(r.leaf) as { id: string; type: string; recordedAt: string };
  return {
    seq: Number(r.seq),
    eventId: event.id,
    type: event.type,
    recordedAt: event.recordedAt,
    leafHash: Buffer.from(r.leaf_hash).toString('hex'),
    event,
  };
}

export async function listEvents(db: Kysely<Database>, filter: EventFilter): Promise<PageOf<EventRecord>> {
  const query = selectEvents(db, filter);
  // Unfiltered, the total is the tree size: counting a million rows per page would be the slowest
  // part of the request, and the head already knows the answer.
  const total = isFiltered(filter)
    ? query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
    : db.selectFrom('ledger_head').select('size as n').where('id', '=', 1).executeTakeFirstOrThrow();
  const [rows, count] = await Promise.all([
    query.select(['seq', 'leaf', 'leaf_hash']).orderBy('seq', 'asc').limit(filter.limit).offset(filter.offset).execute(),
    total,
  ]);
  return { items: rows.map(toEventRecord), total: Number(count.n), limit: filter.limit, offset: filter.offset };
}

/** One event by its sequence number (its leaf index), or undefined. */
export async function findEvent(db: Kysely<Database>, seq: number): Promise<EventRecord | undefined> {
  const row = await db.selectFrom('ledger_events').select(['seq', 'leaf', 'leaf_hash']).where('seq', '=', seq).executeTakeFirst();
  return row && toEventRecord(row);
}

/** Every event matching `filter` in sequence order, read `pageSize` at a time by sequence number
 * (no offset, no count): memory stays bounded however many match. The same records as listEvents. */
export async function* streamEvents(
  db: Kysely<Database>,
  filter: EventSelection,
  { pageSize = 1000 }: { pageSize?: number } = {},
): AsyncGenerator<EventRecord> {
  let afterSeq = filter.afterSeq;
  for (;;) {
    const rows = await selectEvents(db, { ...filter, afterSeq })
      .select(['seq', 'leaf', 'leaf_hash'])
      .orderBy('seq', 'asc')
      .limit(pageSize)
      .execute();
    for (const row of rows) yield toEventRecord(row);
    if (rows.length < pageSize) return;
    afterSeq = Number(rows[rows.length - 1].seq);
  }
}

export interface StoredLeaf {
  seq: number;
  eventId: string;
  leaf: string;
  leafHash: Uint8Array;
}

export async function findLeaf(db: Kysely<Database>, by: { seq: number } | { eventId: string }): Promise<StoredLeaf | undefined> {
  let query = db.selectFrom('ledger_events').select(['seq', 'event_id', 'leaf', 'leaf_hash']);
  query = 'seq' in by ? query.where('seq', '=', by.seq) : query.where('event_id', '=', by.eventId);
  const row = await query.executeTakeFirst();
  return row && { seq: Number(row.seq), eventId: row.event_id, leaf: row.leaf, leafHash: new Uint8Array(row.leaf_hash) };
}

export interface HeadRow {
  size: number;
  /** Frontier hashes, largest subtree first. */
  frontier: Uint8Array[];
}

export async function readHead(db: Kysely<Database>): Promise<HeadRow> {
  const row = await db.selectFrom('ledger_head').select(['size', 'frontier']).where('id', '=', 1).executeTakeFirstOrThrow();
  return { size: Number(row.size), frontier: (JSON.parse(row.frontier) as string[]).map((h) => new Uint8Array(Buffer.from(h, 'base64'))) };
}

/**
 * ledger_nodes holds the perfect subtrees of this level and above. Lower ones are cheaper to
 * recompute from at most 2^(level) - 1 leaf hashes per proof than to write at every append: they
 * are 7/8 of all interior nodes, and writing them was a large share of an append's cost. Leaves
 * (level 0) are ledger_events.leaf_hash. Rows of lower levels that older databases hold are never read.
 */
export const LOWEST_STORED_LEVEL = 4;

/**
 * The perfect-subtree nodes with these ids, in one query: stored nodes from ledger_nodes (each a
 * primary-key lookup), UNION ALL the leaf hashes (by seq) that the lower nodes are computed from.
 */
export async function readNodes(db: Kysely<Database>, ids: readonly NodeId[]): Promise<MerkleNode[]> {
  const unique = [...new Map(ids.map((id) => [`${id.level}/${id.index}`, id])).values()];
  const stored = unique.filter((id) => id.level >= LOWEST_STORED_LEVEL);
  const computed = unique.filter((id) => id.level < LOWEST_STORED_LEVEL);
  const seqs = [...new Set(computed.flatMap((id) => leafRange(id)))];
  const nodeQuery = db
    .selectFrom('ledger_nodes')
    .select(['level', 'idx', 'hash'])
    .where((eb) => eb.or(stored.map((id) => eb.and([eb('level', '=', id.level), eb('idx', '=', id.index)]))));
  const leafQuery = db
    .selectFrom('ledger_events')
    .select([sql<number>`0`.as('level'), 'seq as idx', 'leaf_hash as hash'])
    .where('seq', 'in', seqs);
  let query: typeof nodeQuery | typeof leafQuery;
  if (stored.length > 0 && seqs.length > 0) query = nodeQuery.unionAll(leafQuery);
  else if (stored.length > 0) query = nodeQuery;
  else if (seqs.length > 0) query = leafQuery;
  else return [];
  const rows: MerkleNode[] = (await query.execute()).map((r) => ({
    level: Number(r.level),
    index: Number(r.idx),
    hash: new Uint8Array(r.hash),
  }));
  const leaves = new Map(rows.filter((r) => r.level === 0).map((r) => [r.index, r.hash]));
  const nodes = rows.filter((r) => r.level > 0);
  for (const id of computed) {
    const hashes = leafRange(id).map((seq) => leaves.get(seq));
    // A missing leaf leaves the node out: the proof then names it as not provided.
    if (hashes.every((h) => h !== undefined)) nodes.push({ ...id, hash: rootHash(hashes as Uint8Array[]) });
  }
  return nodes;
}

/** The seqs of the leaves under a perfect subtree. */
function leafRange({ level, index }: NodeId): number[] {
  const width = 2 ** level;
  return Array.from({ length: width }, (_, i) => index * width + i);
}

export interface CheckpointRecord {
  treeSize: number;
  rootHash: Uint8Array;
  note: string;
  createdAt: string;
}

const checkpointColumns = ['tree_size', 'root_hash', 'note', 'created_at'] as const;

function toCheckpoint(row: { tree_size: number; root_hash: Uint8Array; note: string; created_at: string }): CheckpointRecord {
  return { treeSize: Number(row.tree_size), rootHash: new Uint8Array(row.root_hash), note: row.note, createdAt: row.created_at };
}

export async function latestCheckpoint(db: Kysely<Database>): Promise<CheckpointRecord | undefined> {
  const row = await db.selectFrom('ledger_checkpoints').select(checkpointColumns).orderBy('tree_size', 'desc').limit(1).executeTakeFirst();
  return row && toCheckpoint(row);
}

export async function checkpointAt(db: Kysely<Database>, treeSize: number): Promise<CheckpointRecord | undefined> {
  const row = await db.selectFrom('ledger_checkpoints').select(checkpointColumns).where('tree_size', '=', treeSize).executeTakeFirst();
  return row && toCheckpoint(row);
}

/** Newest first. */
export async function listCheckpoints(db: Kysely<Database>, page: { limit: number; offset: number }): Promise<PageOf<CheckpointRecord>> {
  const [rows, count] = await Promise.all([
    db
      .selectFrom('ledger_checkpoints')
      .select(checkpointColumns)
      .orderBy('tree_size', 'desc')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    db
      .selectFrom('ledger_checkpoints')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(toCheckpoint), total: Number(count.n), limit: page.limit, offset: page.offset };
}

/** Every checkpoint, smallest first: verification walks them alongside the events. */
export async function allCheckpoints(db: Kysely<Database>): Promise<CheckpointRecord[]> {
  const rows = await db.selectFrom('ledger_checkpoints').select(checkpointColumns).orderBy('tree_size', 'asc').execute();
  return rows.map(toCheckpoint);
}
