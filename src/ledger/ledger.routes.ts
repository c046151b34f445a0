// The ledger over HTTP: events by subject, actor, type or time; the public key; signed checkpoints;
// inclusion and consistency proofs; full verification; notes.

import { type Static, Type } from 'typebox';
import type { Role } from '../context.js';
import { AppError, notFound } from '../errors.js';
import { listEvidence, withControls } from '../frameworks/evidence.js';
import { type App, type AppDeps, errorResponses, Page, PageQuery, requestContext } from '../server/http.js';
import { makeCheckpoint } from './checkpoints.service.js';
import { type CheckpointRecord, findEvent, latestCheckpoint, listCheckpoints } from './ledger.repository.js';
import {
  CheckpointMade,
  CheckpointView,
  ConsistencyProofView,
  ConsistencyQuery,
  EventQuery,
  EventView,
  InclusionProofView,
  InclusionQuery,
  LatestCheckpointQuery,
  NoteBody,
  NoteView,
  PublicKeyView,
  SeqParams,
  VerifyProgressLine,
  VerifyReportView,
} from './ledger.schema.js';
import { addLedgerNote } from './notes.service.js';
import { proveConsistency, proveInclusion } from './proofs.service.js';
import { recordVerification } from './verifications.js';
import { verifyLedger } from './verify.service.js';

const READERS: Role[] = ['admin', 'auditor', 'governance_lead'];
/** Auditors read and verify; they change nothing. */
const CHECKPOINTERS: Role[] = ['admin', 'governance_lead'];

const presentCheckpoint = (c: CheckpointRecord) => ({
  treeSize: c.treeSize,
  rootHash: Buffer.from(c.rootHash).toString('hex'),
  rootHashBase64: Buffer.from(c.rootHash).toString('base64'),
  note: c.note,
  createdAt: c.createdAt,
});

/** `<origin>-checkpoint-<size>.txt`, the origin reduced to characters safe in a file name. */
export function checkpointFileName(origin: string, treeSize: number): string {
  const safe = origin.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '') || 'ledger';
  return `${safe}-checkpoint-${treeSize}.txt`;
}

export function ledgerRoutes(app: App, { store, services }: AppDeps) {
  const { signer } = services;
  const read = { access: { roles: READERS, scope: 'read' as const } };

  app.get(
    '/api/v1/ledger/events',
    {
      schema: {
        operationId: 'listEvents',
        summary: 'List ledger events',
        tags: ['ledger'],
        querystring: EventQuery,
        response: { 200: Page(EventView), ...errorResponses },
      },
      config: read,
    },
    async (req) => listEvidence(store.db, { ...req.query, limit: req.query.limit ?? 50, offset: req.query.offset ?? 0 }),
  );

  app.get(
    '/api/v1/ledger/events/:seq',
    {
      schema: {
        operationId: 'findEvent',
        summary: 'One ledger event, by sequence number',
        tags: ['ledger'],
        params: SeqParams,
        response: { 200: EventView, ...errorResponses },
      },
      config: read,
    },
    async (req) => {
      const event = await findEvent(store.db, req.params.seq);
      if (!event) throw notFound('ledger event', req.params.seq);
      return withControls(event);
    },
  );

  app.get(
    '/api/v1/ledger/public-key',
    {
      schema: {
        operationId: 'getLedgerPublicKey',
        summary: 'The public key that verifies checkpoint signatures',
        tags: ['ledger'],
        response: { 200: PublicKeyView },
      },
      config: { access: { public: true } },
    },
    async () => ({ name: signer.name, verifierKey: signer.verifierKey, publicKeyPem: signer.publicKeyPem }),
  );

  app.post(
    '/api/v1/ledger/checkpoints',
    {
      schema: {
        operationId: 'makeCheckpoint',
        summary: 'Sign a checkpoint of the ledger now',
        tags: ['ledger'],
        response: { 200: CheckpointMade, ...errorResponses },
      },
      config: { access: { roles: CHECKPOINTERS, scope: 'write' } },
    },
    async () => {
      const made = await store.transact((trx) => makeCheckpoint(trx, { signer }), { sequenced: true });
      return { checkpoint: presentCheckpoint(made.checkpoint), created: made.created };
    },
  );

  app.get(
    '/api/v1/ledger/checkpoints/latest',
    {
      schema: {
        operationId: 'latestCheckpoint',
        summary: 'The latest signed checkpoint (as a file to save with download=true)',
        tags: ['ledger'],
        querystring: LatestCheckpointQuery,
        response: { 200: Type.String({ description: 'the signed note' }), ...errorResponses },
      },
      config: read,
    },
    async (req, reply) => {
      const latest = await latestCheckpoint(store.db);
      if (!latest) throw new AppError('not_found', 'no checkpoint has been made yet');
      if (req.query.download) {
        reply.header('content-disposition', `attachment; filename="${checkpointFileName(signer.name, latest.treeSize)}"`);
      }
      return reply.type('text/plain; charset=utf-8').send(latest.note);
    },
  );

  app.get(
    '/api/v1/ledger/checkpoints',
    {
      schema: {
        operationId: 'listCheckpoints',
        summary: 'List signed checkpoints',
        tags: ['ledger'],
        querystring: Type.Object({ ...PageQuery }, { additionalProperties: false }),
        response: { 200: Page(CheckpointView), ...errorResponses },
      },
      config: read,
    },
    async (req) => {
      const page = await listCheckpoints(store.db, { limit: req.query.limit ?? 50, offset: req.query.offset ?? 0 });
      return { ...page, items: page.items.map(presentCheckpoint) };
    },
  );

  app.get(
    '/api/v1/ledger/proofs/inclusion',
    {
      schema: {
        operationId: 'proveInclusion',
        summary: 'Merkle proof that an event is in the ledger',
        tags: ['ledger'],
        querystring: InclusionQuery,
        response: { 200: InclusionProofView, ...errorResponses },
      },
      config: read,
    },
    async (req) => proveInclusion(store.db, { seq: req.query.seq, eventId: req.query.eventId, treeSize: req.query.size }),
  );

  app.get(
    '/api/v1/ledger/proofs/consistency',
    {
      schema: {
        operationId: 'proveConsistency',
        summary: 'Merkle proof that one ledger size extends another',
        tags: ['ledger'],
        querystring: ConsistencyQuery,
        response: { 200: ConsistencyProofView, ...errorResponses },
      },
      config: read,
    },
    async (req) => proveConsistency(store.db, req.query),
  );

  app.get(
    '/api/v1/ledger/verify',
    {
      schema: {
        operationId: 'verifyLedger',
        summary: 'Verify the whole ledger chain',
        tags: ['ledger'],
        response: { 200: VerifyReportView, ...errorResponses },
      },
      config: { access: { roles: ['admin', 'auditor'], scope: 'read' } },
    },
    async (req) => {
      const report = await verifyLedger(store, { verifier: signer.verifier });
      await recordVerification(store, { report, verifiedBy: req.actor?.userId ?? null, channel: 'api' });
      return report;
    },
  );

  app.get(
    '/api/v1/ledger/verify/progress',
    {
      schema: {
        operationId: 'verifyLedgerWithProgress',
        summary: 'Verify the whole ledger chain, reporting progress as it goes (NDJSON)',
        description:
          'The same run as GET /api/v1/ledger/verify, recorded the same way, answered as `application/x-ndjson`: ' +
          '`{"progress":{"done","total"}}` lines (at most every 100 ms) while events are rehashed, then one ' +
          '`{"report":...}` line, or an `{"error":{"code","message"}}` line when the run could not finish.',
        tags: ['ledger'],
        response: {
          200: { description: 'progress lines, then the report', content: { 'application/x-ndjson': { schema: VerifyProgressLine } } },
          ...errorResponses,
        },
      },
      config: { access: { roles: ['admin', 'auditor'], scope: 'read' } },
    },
    async (req, reply) => {
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'application/x-ndjson; charset=utf-8',
        'cache-control': 'no-store',
        'x-accel-buffering': 'no',
        'x-request-id': String(req.id),
      });
      res.flushHeaders();
      const line = (value: Static<typeof VerifyProgressLine>) => res.write(`${JSON.stringify(value)}\n`);
      let lastSent = 0;
      try {
        const report = await verifyLedger(store, {
          verifier: signer.verifier,
          onProgress: (done, total) => {
            // A line per batch would be thousands on a large ledger; ten a second is what a bar can show.
            if (Date.now() - lastSent < 100 && done < total) return;
            lastSent = Date.now();
            line({ progress: { done, total } });
          },
        });
        await recordVerification(store, { report, verifiedBy: req.actor?.userId ?? null, channel: 'api' });
        line({ report });
      } catch (error) {
        req.log.error({ err: error }, 'ledger verification failed');
        line({ error: { code: 'internal_error', message: `The verification could not finish (request ${req.id})` } });
      } finally {
        res.end();
      }
    },
  );

  app.post(
    '/api/v1/ledger/notes',
    {
      schema: {
        operationId: 'addLedgerNote',
        summary: 'Record a note in the ledger',
        tags: ['ledger'],
        body: NoteBody,
        response: { 201: NoteView, ...errorResponses },
      },
      config: { access: { roles: ['admin'], scope: 'write' } },
    },
    async (req, reply) => {
      const note = await store.transact((trx) => addLedgerNote(trx, { ctx: requestContext(req), note: req.body }), {
        sequenced: true,
      });
      return reply.status(201).send(note);
    },
  );
}
