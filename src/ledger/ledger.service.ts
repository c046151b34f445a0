// Appending to the ledger: every state change calls appendEvent inside the transaction that makes
// the change, so the change and its evidence commit together or not at all. The Merkle tree is
// maintained incrementally: each append stores the perfect-subtree nodes it completes.
import { v7 as uuidv7 } from 'uuid';
import type { Actor, RequestContext } from '../context.js';
import type { Tx } from '../db/store.js';
import { canonicalJson } from './canonical.js';
import { leafHash, MerkleFrontier } from './merkle.js';

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
  /** Control ids this event evidences (e.g. `iso42001:A.9.2`). */
  controls?: string[];
  /** Anything else worth keeping that is not a before/after. */
  data?: Record<string, unknown>;
}

export interface AppendedEvent {
  seq: number;
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
  };
}

/** The canonical form of an event: RFC 8785 JSON with undefined fields left out. */
export function canonicalEvent(event: Record<string, unknown>): string {
  return canonicalJson(event);
}

interface Head {
  size: number;
  frontier: MerkleFrontier;
}

async function readHead(trx: Tx): Promise<Head> {
  const row = await trx.selectFrom('ledger_head').select(['size', 'frontier']).where('id', '=', 1).executeTakeFirstOrThrow();
  const hashes = (JSON.parse(row.frontier) as string[]).map((h) => Buffer.from(h, 'base64'));
  return { size: Number(row.size), frontier: MerkleFrontier.fromState(Number(row.size), hashes) };
}

/** Appends events in order, in the caller's transaction. */
export async function appendEvents(trx: Tx, ctx: RequestContext, inputs: EventInput[]): Promise<AppendedEvent[]> {
  if (inputs.length === 0) return [];
  const head = await readHead(trx);
  const actor = actorForLedger(ctx.actor);
  const recordedAt = new Date().toISOString();
  const rows = [];
  const nodes: Array<{ level: number; idx: number; hash: Uint8Array }> = [];
  const appended: AppendedEvent[] = [];
  let seq = head.size;
  for (const input of inputs) {
    const eventId = uuidv7();
    const leaf = canonicalEvent({
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
      controls: input.controls?.length ? input.controls : undefined,
      data: input.data,
      requestId: ctx.requestId,
      sourceAddress: ctx.sourceAddress ?? undefined,
    });
    const hash = leafHash(Buffer.from(leaf, 'utf8'));
    for (const node of head.frontier.append(hash)) nodes.push({ level: node.level, idx: node.index, hash: node.hash });
    rows.push({
      seq,
      event_id: eventId,
      type: input.type,
      actor_id: actor.id,
      subject_type: input.subject.type,
      subject_id: input.subject.id,
      recorded_at: recordedAt,
      leaf,
      leaf_hash: hash,
    });
    appended.push({ seq, eventId, recordedAt });
    seq += 1;
  }
  // Stay well inside SQLite's bound-parameter limit.
  for (let i = 0; i < rows.length; i += 500)
    await trx
      .insertInto('ledger_events')
      .values(rows.slice(i, i + 500))
      .execute();
  for (let i = 0; i < nodes.length; i += 2000)
    await trx
      .insertInto('ledger_nodes')
      .values(nodes.slice(i, i + 2000))
      .execute();
  const state = head.frontier.state();
  await trx
    .updateTable('ledger_head')
    .set({ size: seq, frontier: JSON.stringify(state.hashes.map((h: Uint8Array) => Buffer.from(h).toString('base64'))) })
    .where('id', '=', 1)
    .execute();
  return appended;
}

export async function appendEvent(trx: Tx, ctx: RequestContext, input: EventInput): Promise<AppendedEvent> {
  const [event] = await appendEvents(trx, ctx, [input]);
  return event;
}
