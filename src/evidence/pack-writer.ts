// Writing an evidence pack: the generation event and a fresh signed checkpoint in one transaction,
// then the zip streamed from reads of what that checkpoint covers (the ledger is append-only, so
// every event below the checkpoint's size stays as it is while the zip streams).
//
// Proofs, and why this format: a whole-organisation pack holds every leaf of the tree, so no proof
// is written at all; the verifier folds the leaves into the root with a frontier (O(log n) memory)
// and compares it with the signed checkpoint. A narrower scope holds a subset, each event with its
// audit path (one stored-node read per event, ~20 hashes). Either way the writer and the verifier
// hold one page of events, never the tree.
import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import yazl from 'yazl';
import type { RequestContext } from '../context.js';
import type { Database } from '../db/schema.js';
import type { Store } from '../db/store.js';
import { AppError, notFound } from '../errors.js';
import { isFrameworkId } from '../frameworks/catalog.js';
import { controlsFor, type EvidenceEvent } from '../frameworks/event-controls.js';
import { requireControlId } from '../frameworks/evidence.js';
import { loadSoa, type SoaView } from '../governance/soa.js';
import { makeCheckpoint } from '../ledger/checkpoints.service.js';
import { allCheckpoints, readNodes } from '../ledger/ledger.repository.js';
import { appendEvent, sequenceOf } from '../ledger/ledger.service.js';
import {
  consistencyProofFromNodes,
  consistencyProofNodeIds,
  inclusionProofFromNodes,
  inclusionProofNodeIds,
  nodeLookup,
} from '../ledger/merkle.js';
import type { LedgerSigner } from '../ledger/signing-key.js';
import {
  evidenceByMapping,
  type FrameworkStatus,
  liveControlStatus,
  type PackControlStatus,
  statementOfApplicability,
  statusItems,
} from './control-status.js';
import { assessmentResults, planOfActionAndMilestones } from './oscal.js';
import { PACK_FILES, PACK_FORMAT, type PackManifest, type PackScope } from './pack-format.js';
import { readScopeRecords, recordSetNames, recordsCsv } from './records.js';
import { reportPdf } from './report-pdf.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
// Memory, for a million-event pack: a page of rows and a chunk of the file are all that is held.
// A chunk stays under V8's large-object size (128 KiB), so each dies young and a scavenge frees it
// with its buffer; 1 MiB chunks lived in large-object space until a full collection, and the
// writer's resident memory climbed by their garbage.
const PAGE = 2000;
const FLUSH_BYTES = 96 * 1024;

export interface EvidencePack {
  packId: string;
  fileName: string;
  /** The zip, streamed: nothing is read before the caller consumes it. */
  stream: Readable;
}

async function checkScope(db: Kysely<Database>, scope: PackScope): Promise<PackScope> {
  const { kind, id, from, to } = scope;
  if (from && to && new Date(from) >= new Date(to)) throw new AppError('validation_failed', 'from: must be before to', { field: 'from' });
  const period = { ...(from ? { from: new Date(from).toISOString() } : {}), ...(to ? { to: new Date(to).toISOString() } : {}) };
  if (kind === 'organisation') {
    if (id !== undefined) throw new AppError('validation_failed', 'id: the organisation scope takes no id', { field: 'id' });
    return { kind, ...period };
  }
  if (!id) throw new AppError('validation_failed', `id: a ${kind} scope needs an id`, { field: 'id' });
  if (kind === 'system') {
    const system = await db.selectFrom('ai_systems').select('id').where('id', '=', id).executeTakeFirst();
    if (!system) throw notFound('system', id);
    return { kind, id, ...period };
  }
  if (kind === 'control') return { kind, id: requireControlId(id, 'id'), ...period };
  if (!isFrameworkId(id)) throw new AppError('validation_failed', `id: ${id} is not a framework`, { field: 'id' });
  return { kind, id, ...period };
}

/** Does this event belong to the scope? (The system and period are narrowed in the query.) */
function inScope(scope: PackScope, type: string, leaf: string): boolean {
  if (scope.kind !== 'control' && scope.kind !== 'framework') return true;
  if (type === 'evidence_pack.generated') return true;
  const controls = controlsFor(JSON.parse(leaf) as EvidenceEvent);
  return scope.kind === 'control' ? controls.includes(scope.id as string) : controls.some((c) => c.startsWith(`${scope.id}:`));
}

/** The events of the scope below `treeSize`, a page at a time: seq, type, leaf. The pack's own event is always in. */
async function* scopeEvents(db: Kysely<Database>, scope: PackScope, treeSize: number, packEventSeq: number) {
  let after = -1;
  for (;;) {
    let query = db.selectFrom('ledger_events').select(['seq', 'type', 'leaf']).where('seq', '>', after).where('seq', '<', treeSize);
    const narrowed = scope.kind === 'system' || scope.from || scope.to;
    if (narrowed) {
      query = query.where((eb) => {
        const conditions = [];
        if (scope.kind === 'system') conditions.push(eb('system_id', '=', scope.id as string));
        if (scope.from) conditions.push(eb('recorded_at', '>=', scope.from));
        if (scope.to) conditions.push(eb('recorded_at', '<', scope.to));
        return eb.or([eb.and(conditions), eb('seq', '=', packEventSeq)]);
      });
    }
    const rows = await query.orderBy('seq', 'asc').limit(PAGE).execute();
    const all = scope.kind !== 'control' && scope.kind !== 'framework';
    yield (all ? rows : rows.filter((r) => inScope(scope, r.type, r.leaf))).map((r) => ({
      seq: Number(r.seq),
      type: r.type,
      leaf: r.leaf,
    }));
    if (rows.length < PAGE) return;
    after = Number(rows[rows.length - 1].seq);
  }
}

/**
 * Records the pack's generation (an `evidence_pack.generated` event), signs a checkpoint covering it
 * and returns the zip as a stream. Refuses a bad scope before writing anything.
 */
export async function generateEvidencePack(
  store: Store,
  { ctx, scope, signer }: { ctx: RequestContext; scope: PackScope; signer: LedgerSigner },
): Promise<EvidencePack> {
  const checked = await checkScope(store.db, scope);
  const packId = randomUUID();
  const generatedAt = new Date().toISOString();
  // The live control status and the SoA at generation time, read before anything is written.
  const [frameworks, soa] = await Promise.all([liveControlStatus(store, checked, new Date(generatedAt)), loadSoa(store.db)]);
  const { event, checkpoint } = await store.transact(
    async (trx) => {
      const appended = await appendEvent(trx, ctx, {
        type: 'evidence_pack.generated',
        subject: { type: 'evidence_pack', id: packId },
        // An external auditor's export names the grant it was made under.
        data: { packId, scope: checked, generatedAt, ...(ctx.actor.auditorGrantId ? { auditorGrantId: ctx.actor.auditorGrantId } : {}) },
      });
      const made = await makeCheckpoint(trx, { signer });
      return { event: appended, checkpoint: made.checkpoint };
    },
    { sequenced: true },
  );
  const head: Omit<PackManifest, 'files' | 'events'> = {
    format: PACK_FORMAT,
    packId,
    scope: checked,
    generatedAt,
    requestedBy: { id: ctx.actor.userId, name: ctx.actor.displayName },
    checkpoint: {
      treeSize: checkpoint.treeSize,
      rootHash: hex(checkpoint.rootHash),
      note: checkpoint.note,
      verifierKey: signer.verifierKey,
    },
    proofs: checked.kind === 'organisation' && !checked.from && !checked.to ? 'complete' : 'paths',
  };
  const stream = packStream(store.db, head, sequenceOf(event), { frameworks, soa });
  return { packId, fileName: `proofline-evidence-${generatedAt.slice(0, 10)}-${packId.slice(0, 8)}.zip`, stream };
}

function packStream(
  db: Kysely<Database>,
  head: Omit<PackManifest, 'files' | 'events'>,
  packEventSeq: number,
  { frameworks, soa }: { frameworks: FrameworkStatus[]; soa: SoaView },
): Readable {
  const zip = new yazl.ZipFile();
  const digests: Record<string, string> = {};
  const mtime = new Date(head.generatedAt);
  const eventTypes = new Map<string, number>();
  let events = 0;
  const { treeSize } = head.checkpoint;
  const add = (name: string, source: () => AsyncGenerator<Buffer | string>) => {
    async function* hashed() {
      const digest = createHash('sha256');
      for await (const part of source()) {
        const chunk = typeof part === 'string' ? Buffer.from(part) : part;
        digest.update(chunk);
        yield chunk;
      }
      digests[name] = digest.digest('hex');
    }
    const readable = Readable.from(hashed(), { objectMode: false });
    readable.on('error', (error) => (zip.outputStream as unknown as Readable).destroy(error));
    zip.addReadStream(readable, name, { mtime });
  };
  const once = (build: () => Promise<Buffer | string>) =>
    async function* () {
      yield await build();
    };

  add(PACK_FILES.events, async function* () {
    let buffer: string[] = [];
    let size = 0;
    for await (const page of scopeEvents(db, head.scope, treeSize, packEventSeq)) {
      for (const { type, leaf } of page) {
        eventTypes.set(type, (eventTypes.get(type) ?? 0) + 1);
        buffer.push(leaf, '\n');
        size += leaf.length + 1;
        events += 1;
        if (size >= FLUSH_BYTES) {
          yield buffer.join('');
          buffer = [];
          size = 0;
        }
      }
    }
    if (buffer.length) yield buffer.join('');
  });
  if (head.proofs === 'paths') {
    add(PACK_FILES.proofs, async function* () {
      for await (const page of scopeEvents(db, head.scope, treeSize, packEventSeq)) {
        const lines: string[] = [];
        for (const { seq } of page) {
          const lookup = nodeLookup(await readNodes(db, inclusionProofNodeIds(seq, treeSize)));
          lines.push(`${JSON.stringify({ seq, path: inclusionProofFromNodes(lookup, seq, treeSize).map(hex) })}\n`);
        }
        if (lines.length) yield lines.join('');
      }
    });
  }
  add(PACK_FILES.consistency, async function* () {
    for (const earlier of await allCheckpoints(db)) {
      if (earlier.treeSize >= treeSize || earlier.treeSize === 0) continue;
      const lookup = nodeLookup(await readNodes(db, consistencyProofNodeIds(earlier.treeSize, treeSize)));
      const proof = consistencyProofFromNodes(lookup, earlier.treeSize, treeSize).map(hex);
      yield `${JSON.stringify({ size1: earlier.treeSize, checkpoint1: earlier.note, proof })}\n`;
    }
  });
  add(
    PACK_FILES.checkpoint,
    once(async () => head.checkpoint.note),
  );
  add(
    PACK_FILES.publicKey,
    once(async () => `${head.checkpoint.verifierKey}\n`),
  );
  // Written after the events, so the mapping's counts are known.
  let status: PackControlStatus | null = null;
  const controlStatus = () => {
    status ??= { evaluatedAt: head.generatedAt, frameworks, evidenceByMapping: evidenceByMapping(frameworks, eventTypes) };
    return status;
  };
  add(
    PACK_FILES.controls,
    // Compact, as the API answers it: the organisation's is megabytes, indentation would double it.
    once(async () => JSON.stringify(controlStatus())),
  );
  add(
    PACK_FILES.soa,
    once(async () => JSON.stringify(statementOfApplicability(statusItems(controlStatus()), soa), null, 2)),
  );
  add(
    PACK_FILES.assessmentResults,
    once(async () =>
      JSON.stringify(
        assessmentResults({ status: controlStatus(), scope: head.scope, generatedAt: head.generatedAt, packId: head.packId }),
        null,
        2,
      ),
    ),
  );
  add(
    PACK_FILES.poam,
    once(async () =>
      JSON.stringify(planOfActionAndMilestones({ status: controlStatus(), generatedAt: head.generatedAt, packId: head.packId }), null, 2),
    ),
  );
  add(
    PACK_FILES.report,
    once(async () => reportPdf({ ...head, events }, controlStatus())),
  );
  // Records are read after the events; each set as JSON and CSV.
  let records: ReturnType<typeof readScopeRecords> | null = null;
  const recordSets = () => {
    records ??= readScopeRecords(db, head.scope);
    return records;
  };
  for (const name of recordSetNames(head.scope)) {
    add(
      `records/${name}.json`,
      once(async () => JSON.stringify((await recordSets()).find((s) => s.name === name)?.rows ?? [], null, 2)),
    );
    add(
      `records/${name}.csv`,
      once(async () => recordsCsv((await recordSets()).find((s) => s.name === name)?.rows ?? [])),
    );
  }
  add(
    PACK_FILES.manifest,
    once(async () => JSON.stringify({ ...head, events, files: digests } satisfies PackManifest, null, 2)),
  );
  zip.end();
  return zip.outputStream as unknown as Readable;
}
