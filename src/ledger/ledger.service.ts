// Appending to the ledger: every state change calls appendEvent inside the transaction that makes
// the change, so the change and its evidence commit together or not at all. The Merkle tree is
// maintained incrementally: each append stores the perfect-subtree nodes it completes from
// LOWEST_STORED_LEVEL up. Level 0 is the leaf hash itself, already in ledger_events.leaf_hash, and
// proofs recompute the few lower nodes they need from leaf hashes (see readNodes).

import type SQLite from 'better-sqlite3';
import { v7 as uuidv7 } from 'uuid';
import type { Actor, ApplyingApproval, RequestContext } from '../context.js';
import { appendsToQueue, insertRows, markQueued, sqliteHandleOf, type Tx } from '../db/store.js';
import { eventLeaf, eventLeafParts } from './event-leaf.js';
import { requireEventType } from './event-types.js';
import { LOWEST_STORED_LEVEL } from './ledger.repository.js';
import { leafHashOfText, MerkleFrontier } from './merkle.js';
import { systemIdOfEvent } from './system-index.js';

export interface EventSubject {
  type: string;
  id: string;
  version?: number | null;
}

export interface EventInput {
  /** Dotted event type, e.g. `system.created`, `approval.granted`. */
  type: string;
  subject: EventSubject;
  before?: unknown;
  after?: unknown;
  /** RFC 6902 patch, where before/after would be too large. */
  patch?: unknown;
  reason?: string | null;
  onBehalfOf?: string | null;
  /** Event ids this one corrects or refers to. */
  references?: string[];
  /** Anything else worth keeping that is not a before/after. */
  data?: Record<string, unknown>;
}

export interface AppendedEvent {
  /** Null when the event went to the ledger's queue (a PostgreSQL write that is not sequenced):
   * it has its number once the write is acknowledged (ledger/integrator.ts). */
  seq: number | null;
  eventId: string;
  recordedAt: string;
}

export interface LedgerActor {
  kind: Actor['kind'];
  id: string | null;
  email: string | null;
  name: string | null;
  roles: string[];
  tokenId?: string;
  /** Present when the person applies an approved change: the request and who signed it. */
  applying?: ApplyingApproval;
}

export function actorForLedger(actor: Actor): LedgerActor {
  const roles: string[] = [...actor.roles];
  for (const [systemId, systemRoles] of Object.entries(actor.systemRoles)) {
    for (const role of systemRoles) roles.push(`${role}@${systemId}`);
  }
  return {
    kind: actor.kind,
    id: actor.userId,
    email: actor.email,
    name: actor.displayName,
    roles,
    ...(actor.tokenId ? { tokenId: actor.tokenId } : {}),
    ...(actor.applying ? { applying: actor.applying } : {}),
  };
}

interface Head {
  size: number;
  frontier: MerkleFrontier;
}

interface EventRow {
  seq: number;
  event_id: string;
  type: string;
  actor_id: string | null;
  subject_type: string;
  subject_id: string;
  recorded_at: string;
  leaf: string;
  leaf_hash: Uint8Array;
  system_id: string | null;
}

interface NodeRow {
  level: number;
  idx: number;
  hash: Uint8Array;
}

/** Where appendEvents reads the head and writes rows: Kysely, or prepared statements on SQLite. */
interface LedgerStorage {
  readHead(): Promise<{ size: number; frontier: string }>;
  addEvent(row: EventRow): void;
  addNode(level: number, idx: number, hash: Uint8Array): void;
  /** Writes whatever is still buffered and the new head. */
  finish(head: { size: number; frontier: string }): Promise<void>;
}

function kyselyStorage(trx: Tx): LedgerStorage {
  const events: EventRow[] = [];
  const nodes: NodeRow[] = [];
  return {
    readHead: () => trx.selectFrom('ledger_head').select(['size', 'frontier']).where('id', '=', 1).executeTakeFirstOrThrow(),
    addEvent: (row) => void events.push(row),
    addNode: (level, idx, hash) => void nodes.push({ level, idx, hash }),
    async finish(head) {
      // Stay well inside the bound-parameter limits of both databases.
      for (let i = 0; i < events.length; i += 500)
        await trx
          .insertInto('ledger_events')
          .values(events.slice(i, i + 500))
          .execute();
      for (let i = 0; i < nodes.length; i += 2000)
        await trx
          .insertInto('ledger_nodes')
          .values(nodes.slice(i, i + 2000))
          .execute();
      await trx.updateTable('ledger_head').set(head).where('id', '=', 1).execute();
    },
  };
}

interface SqliteStatements {
  head: SQLite.Statement;
  event: SQLite.Statement;
  node: SQLite.Statement;
  updateHead: SQLite.Statement;
}

const sqliteStatements = new WeakMap<SQLite.Database, SqliteStatements>();

/** Every append on SQLite runs this path: statements prepared once per connection, rows written
 * as they are made (so a large batch leaves little garbage), where building and compiling the
 * same queries in Kysely cost far more than SQLite's own work. */
function sqliteStorage(handle: SQLite.Database): LedgerStorage {
  let statements = sqliteStatements.get(handle);
  if (!statements) {
    statements = {
      head: handle.prepare('select size, frontier from ledger_head where id = 1'),
      event:
        handle.prepare(`insert into ledger_events (seq, event_id, type, actor_id, subject_type, subject_id, recorded_at, leaf, leaf_hash, system_id)
        values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      node: handle.prepare('insert into ledger_nodes (level, idx, hash) values (?, ?, ?)'),
      updateHead: handle.prepare('update ledger_head set size = ?, frontier = ? where id = 1'),
    };
    sqliteStatements.set(handle, statements);
  }
  const { head, event, node, updateHead } = statements;
  return {
    readHead: async () => head.get() as { size: number; frontier: string },
    // Positional parameters: binding by name costs a property lookup per column per row.
    addEvent: (r) =>
      void event.run(r.seq, r.event_id, r.type, r.actor_id, r.subject_type, r.subject_id, r.recorded_at, r.leaf, r.leaf_hash, r.system_id),
    addNode: (level, idx, hash) => void node.run(level, idx, hash),
    finish: async (newHead) => void updateHead.run(newHead.size, newHead.frontier),
  };
}

/** The frontier this process last wrote or read, decoded: the next append reads back the same text,
 * so it skips the JSON parse and base64 decoding. Keyed by the exact stored text, so a head rolled
 * back or written by another process is simply decoded anew. The hashes are never mutated
 * (fromState copies the array; a Merkle node is always a new array). */
let decodedFrontier: { text: string; hashes: readonly Uint8Array[] } | null = null;

function frontierHashes(text: string): readonly Uint8Array[] {
  if (decodedFrontier?.text !== text) {
    decodedFrontier = { text, hashes: (JSON.parse(text) as string[]).map((h) => Buffer.from(h, 'base64')) };
  }
  return decodedFrontier.hashes;
}

function parseHead(row: { size: number; frontier: string }): Head {
  return { size: Number(row.size), frontier: MerkleFrontier.fromState(Number(row.size), frontierHashes(row.frontier)) };
}

/** The envelope of an event, all but its sequence number. */
function envelope(input: EventInput, ctx: RequestContext, actor: LedgerActor, eventId: string, recordedAt: string, seq: number) {
  requireEventType(input.type);
  return {
    v: 1,
    seq,
    id: eventId,
    type: input.type,
    recordedAt,
    actor,
    onBehalfOf: input.onBehalfOf ?? undefined,
    subject: { type: input.subject.type, id: input.subject.id, version: input.subject.version ?? undefined },
    before: input.before,
    after: input.after,
    patch: input.patch,
    reason: input.reason ?? undefined,
    references: input.references?.length ? input.references : undefined,
    data: input.data,
    requestId: ctx.requestId,
    sourceAddress: ctx.sourceAddress ?? undefined,
    via: ctx.via,
  };
}

/** PostgreSQL: the events go to the ledger's queue, in order, in the caller's transaction; the
 * integrator gives them their sequence numbers before the write is acknowledged. */
async function queueEvents(trx: Tx, ctx: RequestContext, inputs: EventInput[]): Promise<AppendedEvent[]> {
  const actor = actorForLedger(ctx.actor);
  const recordedAt = new Date().toISOString();
  const rows = inputs.map((input) => {
    const eventId = uuidv7();
    // The parts leave the sequence number out: the integrator writes it between them.
    const [leafHead, leafTail] = eventLeafParts(envelope(input, ctx, actor, eventId, recordedAt, -1));
    return {
      event_id: eventId,
      type: input.type,
      actor_id: actor.id,
      subject_type: input.subject.type,
      subject_id: input.subject.id,
      recorded_at: recordedAt,
      system_id: systemIdOfEvent(input),
      leaf_head: leafHead,
      leaf_tail: leafTail,
    };
  });
  await insertRows(trx, 'ledger_queue', rows);
  markQueued(trx);
  return rows.map((row) => ({ seq: null, eventId: row.event_id, recordedAt }));
}

/** Appends events in order, in the caller's transaction. */
export async function appendEvents(trx: Tx, ctx: RequestContext, inputs: EventInput[]): Promise<AppendedEvent[]> {
  if (inputs.length === 0) return [];
  if (appendsToQueue(trx)) return queueEvents(trx, ctx, inputs);
  const handle = sqliteHandleOf(trx);
  const storage = handle ? sqliteStorage(handle) : kyselyStorage(trx);
  const head = parseHead(await storage.readHead());
  const actor = actorForLedger(ctx.actor);
  const recordedAt = new Date().toISOString();
  const appended: AppendedEvent[] = [];
  const storeNode = (level: number, index: number, nodeHash: Uint8Array) => {
    if (level >= LOWEST_STORED_LEVEL) storage.addNode(level, index, nodeHash);
  };
  let seq = head.size;
  for (const input of inputs) {
    const eventId = uuidv7();
    const leaf = eventLeaf(envelope(input, ctx, actor, eventId, recordedAt, seq));
    const hash = leafHashOfText(leaf);
    storage.addEvent({
      seq,
      event_id: eventId,
      type: input.type,
      actor_id: actor.id,
      subject_type: input.subject.type,
      subject_id: input.subject.id,
      recorded_at: recordedAt,
      leaf,
      leaf_hash: hash,
      system_id: systemIdOfEvent(input),
    });
    head.frontier.add(hash, storeNode);
    appended.push({ seq, eventId, recordedAt });
    seq += 1;
  }
  const { hashes } = head.frontier.state();
  const frontier = JSON.stringify(hashes.map((h: Uint8Array) => Buffer.from(h).toString('base64')));
  await storage.finish({ size: seq, frontier });
  decodedFrontier = { text: frontier, hashes };
  return appended;
}

/** The sequence number of an event appended in a sequenced transaction (store.transact option). */
export function sequenceOf(event: AppendedEvent): number {
  if (event.seq === null) throw new Error('the event was queued: append it in a sequenced transaction to know its number');
  return event.seq;
}

export async function appendEvent(trx: Tx, ctx: RequestContext, input: EventInput): Promise<AppendedEvent> {
  const [event] = await appendEvents(trx, ctx, [input]);
  return event;
}
