// The ledger API: public key, signed checkpoints, proofs checked with the public verification
// library, reading by subject/actor/type/time, verification and notes.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp, type TestUser } from '../../test/app.js';
import { DIALECTS, rowCount } from '../../test/stores.js';
import { loadConfig } from '../config.js';
import { systemContext } from '../context.js';
import { checkpointIfGrown } from './checkpoints.service.js';
import { checkpointFileName } from './ledger.routes.js';
import { appendEvents } from './ledger.service.js';
import { loadSigningKey } from './signing-key.js';
import { fromHex, leafHash, parseVerifierKey, verifyCheckpoint, verifyConsistency, verifyInclusion } from './verify-lib.js';

describe('ledger signing key', () => {
  test('is created once with mode 0600, reused, and a world-readable key is refused', () => {
    const keyFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'proofline-key-')), 'sub', 'key.pem');
    const config = loadConfig({ PROOFLINE_SIGNING_KEY_FILE: keyFile, PROOFLINE_LEDGER_ORIGIN: 'example.test/ledger' });
    assert.throws(() => loadSigningKey(config, { create: false }), /no ledger signing key/);
    const first = loadSigningKey(config);
    assert.equal(fs.statSync(keyFile).mode & 0o777, 0o600);
    assert.equal(first.name, 'example.test/ledger');
    assert.equal(loadSigningKey(config).verifierKey, first.verifierKey);
    fs.chmodSync(keyFile, 0o644);
    assert.throws(() => loadSigningKey(config), /readable by others/);
  });

  test('can be supplied as PEM instead of a file', () => {
    const pem = fs.readFileSync(
      (() => {
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'proofline-key-')), 'key.pem');
        loadSigningKey(loadConfig({ PROOFLINE_SIGNING_KEY_FILE: file }));
        return file;
      })(),
      'utf8',
    );
    const signer = loadSigningKey(loadConfig({ PROOFLINE_SIGNING_KEY: pem, PROOFLINE_SIGNING_KEY_FILE: '/nonexistent/key.pem' }));
    assert.match(signer.verifierKey, /^proofline\.local\/ledger\+[0-9a-f]{8}\+/);
  });
});

const ctx = systemContext('ledger-test');

for (const dialect of DIALECTS) {
  describe(`ledger API [${dialect}]`, () => {
    let t: TestApp;
    let admin: TestUser;
    let auditor: TestUser;
    let lead: TestUser;
    let verifier: ReturnType<typeof loadSigningKey>['verifier'];

    before(async () => {
      t = await createTestApp(dialect);
      admin = await t.user(['admin']);
      auditor = await t.user(['auditor']);
      lead = await t.user(['governance_lead']);
      const key = parseVerifierKey((await t.call(null, 'GET', '/api/v1/ledger/public-key')).json().verifierKey);
      assert.ok(key.ok);
      verifier = key.value;
      await t.store.transact((trx) =>
        appendEvents(
          trx,
          ctx,
          Array.from({ length: 37 }, (_, i) => ({
            type: i % 2 ? 'test.odd' : 'test.even',
            subject: { type: 'widget', id: `w${i % 5}` },
            data: { i },
          })),
        ),
      );
    });
    after(() => t.close());

    test('the public key is served without sign-in as a verifier key and PEM, from the key file', async () => {
      const res = await t.call(null, 'GET', '/api/v1/ledger/public-key');
      assert.equal(res.statusCode, 200);
      assert.match(res.json().publicKeyPem, /BEGIN PUBLIC KEY/);
      assert.equal(res.json().verifierKey, loadSigningKey(t.config, { create: false }).verifierKey);
      assert.equal(res.json().name, t.config.ledgerOrigin);
    });

    test('admins and governance leads make signed checkpoints; auditors may not; no change makes no new one', async () => {
      assert.equal((await t.call(auditor, 'POST', '/api/v1/ledger/checkpoints')).statusCode, 403);
      const made = await t.call(lead, 'POST', '/api/v1/ledger/checkpoints');
      assert.equal(made.statusCode, 200, made.body);
      const { checkpoint, created } = made.json();
      assert.equal(created, true);
      const verified = verifyCheckpoint(checkpoint.note, verifier);
      assert.ok(verified.ok);
      const head = await t.store.db.selectFrom('ledger_head').select('size').executeTakeFirstOrThrow();
      assert.equal(verified.value.checkpoint.treeSize, Number(head.size));
      assert.equal(Buffer.from(verified.value.checkpoint.rootHash).toString('hex'), checkpoint.rootHash);
      const again = await t.call(admin, 'POST', '/api/v1/ledger/checkpoints');
      assert.equal(again.json().created, false);
      assert.equal(again.json().checkpoint.treeSize, checkpoint.treeSize);
      const latest = await t.call(auditor, 'GET', '/api/v1/ledger/checkpoints/latest');
      assert.equal(latest.statusCode, 200);
      assert.match(String(latest.headers['content-type']), /^text\/plain/);
      assert.equal(latest.body, checkpoint.note);
    });

    test('the periodic job checkpoints only when the tree grew, and the list pages newest first', async () => {
      const signer = loadSigningKey(t.config, { create: false });
      await checkpointIfGrown(t.store, signer);
      assert.equal(await checkpointIfGrown(t.store, signer), null, 'nothing new, no checkpoint');
      await t.store.transact((trx) => appendEvents(trx, ctx, [{ type: 'test.more', subject: { type: 'widget', id: 'w9' } }]));
      const grown = await checkpointIfGrown(t.store, signer);
      assert.equal(grown?.created, true);
      const page = await t.call(auditor, 'GET', '/api/v1/ledger/checkpoints?limit=1');
      assert.equal(page.statusCode, 200);
      assert.equal(page.json().items[0].treeSize, grown?.checkpoint.treeSize);
      assert.ok(page.json().total >= 2);
    });

    test('an inclusion proof by seq or event id verifies against the signed checkpoint', async () => {
      const res = await t.call(auditor, 'GET', '/api/v1/ledger/proofs/inclusion?seq=13');
      assert.equal(res.statusCode, 200, res.body);
      const proof = res.json();
      const checkpoint = verifyCheckpoint(proof.checkpoint, verifier);
      assert.ok(checkpoint.ok);
      assert.equal(proof.treeSize, checkpoint.value.checkpoint.treeSize);
      const hash = leafHash(Buffer.from(proof.leaf, 'utf8'));
      assert.equal(Buffer.from(hash).toString('hex'), proof.leafHash);
      assert.equal(JSON.parse(proof.leaf).seq, 13);
      const path = proof.proof.map(fromHex);
      assert.ok(verifyInclusion(hash, 13, proof.treeSize, path, checkpoint.value.checkpoint.rootHash));
      assert.ok(!verifyInclusion(hash, 12, proof.treeSize, path, checkpoint.value.checkpoint.rootHash));
      const byId = await t.call(auditor, 'GET', `/api/v1/ledger/proofs/inclusion?eventId=${proof.eventId}&size=20`);
      assert.equal(byId.statusCode, 200, byId.body);
      assert.equal(byId.json().checkpoint, null, 'no checkpoint was made at size 20');
      assert.ok(verifyInclusion(hash, 13, 20, byId.json().proof.map(fromHex), fromHex(byId.json().rootHash)));
    });

    test('inclusion proofs refuse sizes that do not hold the event or exceed the ledger', async () => {
      const small = await t.call(auditor, 'GET', '/api/v1/ledger/proofs/inclusion?seq=13&size=13');
      assert.equal(small.statusCode, 400);
      assert.equal(small.json().error.details.field, 'size');
      const big = await t.call(auditor, 'GET', '/api/v1/ledger/proofs/inclusion?seq=1&size=100000');
      assert.equal(big.statusCode, 400);
      assert.equal((await t.call(auditor, 'GET', '/api/v1/ledger/proofs/inclusion?seq=99999')).statusCode, 404);
      assert.equal((await t.call(auditor, 'GET', '/api/v1/ledger/proofs/inclusion?seq=1&eventId=x')).statusCode, 400);
    });

    test('a consistency proof between two sizes verifies, and fails for a wrong root', async () => {
      for (const [size1, size2] of [
        [1, 7],
        [8, 32],
        [21, 40],
        [40, 40],
      ]) {
        const res = await t.call(auditor, 'GET', `/api/v1/ledger/proofs/consistency?size1=${size1}&size2=${size2}`);
        assert.equal(res.statusCode, 200, res.body);
        const p = res.json();
        assert.ok(verifyConsistency(size1, size2, p.proof.map(fromHex), fromHex(p.root1), fromHex(p.root2)), `${size1}->${size2}`);
        if (size1 !== size2) assert.ok(!verifyConsistency(size1, size2, p.proof.map(fromHex), fromHex(p.root2), fromHex(p.root2)));
      }
      assert.equal((await t.call(auditor, 'GET', '/api/v1/ledger/proofs/consistency?size1=5&size2=4')).statusCode, 400);
    });

    test('events are read by subject, type and time, paginated, with seq and leaf hash', async () => {
      const widget = await t.call(auditor, 'GET', '/api/v1/ledger/events?subjectType=widget&subjectId=w2&limit=3');
      assert.equal(widget.statusCode, 200, widget.body);
      const page = widget.json();
      assert.equal(page.total, 7);
      assert.deepEqual(
        page.items.map((e: { event: { data: { i: number } } }) => e.event.data.i),
        [2, 7, 12],
      );
      const first = page.items[0];
      assert.equal(first.event.seq, first.seq);
      const leaf = await t.store.db.selectFrom('ledger_events').select('leaf').where('seq', '=', first.seq).executeTakeFirstOrThrow();
      assert.equal(first.leafHash, Buffer.from(leafHash(Buffer.from(leaf.leaf))).toString('hex'));
      const next = await t.call(auditor, 'GET', '/api/v1/ledger/events?subjectType=widget&subjectId=w2&limit=3&offset=3');
      assert.deepEqual(
        next.json().items.map((e: { event: { data: { i: number } } }) => e.event.data.i),
        [17, 22, 27],
      );
      const odd = await t.call(auditor, 'GET', '/api/v1/ledger/events?type=test.odd&limit=1');
      assert.equal(odd.json().total, 18);
      const future = await t.call(auditor, 'GET', '/api/v1/ledger/events?from=2999-01-01T00:00:00Z');
      assert.equal(future.json().total, 0);
      const all = await t.call(auditor, 'GET', '/api/v1/ledger/events?limit=1');
      const head = await t.store.db.selectFrom('ledger_head').select('size').executeTakeFirstOrThrow();
      assert.equal(all.json().total, Number(head.size), 'unfiltered total is the tree size');
    });

    test('one event by sequence number: the stored leaf, parsed, with its hash; an unknown seq is 404 not_found', async () => {
      const res = await t.call(auditor, 'GET', '/api/v1/ledger/events/4');
      assert.equal(res.statusCode, 200, res.body);
      const stored = await t.store.db
        .selectFrom('ledger_events')
        .select(['leaf', 'event_id'])
        .where('seq', '=', 4)
        .executeTakeFirstOrThrow();
      assert.equal(res.json().seq, 4);
      assert.equal(res.json().eventId, stored.event_id);
      assert.deepEqual(res.json().event, JSON.parse(stored.leaf));
      assert.equal(res.json().leafHash, Buffer.from(leafHash(Buffer.from(stored.leaf))).toString('hex'));
      const head = await t.store.db.selectFrom('ledger_head').select('size').executeTakeFirstOrThrow();
      const beyond = await t.call(auditor, 'GET', `/api/v1/ledger/events/${Number(head.size) + 10}`);
      assert.equal(beyond.statusCode, 404);
      assert.equal(beyond.json().error.code, 'not_found');
      assert.equal((await t.call(auditor, 'GET', '/api/v1/ledger/events/-1')).json().error.code, 'validation_failed');
      const notReader = await t.user(['contributor']);
      assert.equal((await t.call(notReader, 'GET', '/api/v1/ledger/events/4')).statusCode, 403);
    });

    test('the latest checkpoint downloads as a file: the signed note with Content-Disposition', async () => {
      const made = (await t.call(admin, 'POST', '/api/v1/ledger/checkpoints')).json().checkpoint;
      const file = await t.call(auditor, 'GET', '/api/v1/ledger/checkpoints/latest?download=true');
      assert.equal(file.statusCode, 200, file.body);
      assert.match(String(file.headers['content-type']), /^text\/plain/);
      assert.equal(
        file.headers['content-disposition'],
        `attachment; filename="${checkpointFileName(t.config.ledgerOrigin, made.treeSize)}"`,
      );
      assert.match(String(file.headers['content-disposition']), /filename="[A-Za-z0-9._-]+-checkpoint-\d+\.txt"$/);
      assert.equal(file.body, made.note);
      assert.ok(verifyCheckpoint(file.body, verifier).ok, 'the file verifies');
      const inline = await t.call(auditor, 'GET', '/api/v1/ledger/checkpoints/latest');
      assert.equal(inline.headers['content-disposition'], undefined);
      assert.equal(inline.body, made.note);
    });

    test('events by actor', async () => {
      const note = await t.call(admin, 'POST', '/api/v1/ledger/notes', { text: 'Reviewed the widget history' });
      assert.equal(note.statusCode, 201, note.body);
      const res = await t.call(auditor, 'GET', `/api/v1/ledger/events?actorId=${admin.id}`);
      assert.ok(res.json().items.some((e: { type: string }) => e.type === 'ledger.note'));
      assert.ok(res.json().items.every((e: { event: { actor: { id: string } } }) => e.event.actor.id === admin.id));
    });

    test('admins add notes referencing events: a row and its ledger event; unknown references and auditors refused', async () => {
      const target = await t.store.db.selectFrom('ledger_events').select('event_id').where('seq', '=', 3).executeTakeFirstOrThrow();
      const res = await t.call(admin, 'POST', '/api/v1/ledger/notes', {
        text: 'Event 3 was entered in error',
        references: [target.event_id],
      });
      assert.equal(res.statusCode, 201, res.body);
      const note = res.json();
      const row = await t.store.db.selectFrom('ledger_notes').selectAll().where('id', '=', note.id).executeTakeFirstOrThrow();
      assert.deepEqual(JSON.parse(row.references), [target.event_id]);
      const event = await t.store.db.selectFrom('ledger_events').select('leaf').where('seq', '=', note.seq).executeTakeFirstOrThrow();
      const parsed = JSON.parse(event.leaf);
      assert.deepEqual(
        [parsed.type, parsed.subject.id, parsed.reason, parsed.references],
        ['ledger.note', note.id, 'Event 3 was entered in error', [target.event_id]],
      );
      const before = await t.store.db
        .selectFrom('ledger_notes')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      const bad = await t.call(admin, 'POST', '/api/v1/ledger/notes', { text: 'a note on nothing', references: ['no-such-event'] });
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().error.details.field, 'references');
      assert.equal((await t.call(auditor, 'POST', '/api/v1/ledger/notes', { text: 'an auditor remark' })).statusCode, 403);
      const afterCount = await t.store.db
        .selectFrom('ledger_notes')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      assert.equal(Number(afterCount.n), Number(before.n));
    });

    test('admins and auditors verify the ledger over the API; others may not', async () => {
      await t.call(admin, 'POST', '/api/v1/ledger/checkpoints');
      for (const user of [admin, auditor]) {
        const res = await t.call(user, 'GET', '/api/v1/ledger/verify');
        assert.equal(res.statusCode, 200, res.body);
        assert.equal(res.json().ok, true, res.body);
        assert.ok(res.json().checkpointsChecked >= 3);
      }
      assert.equal((await t.call(lead, 'GET', '/api/v1/ledger/verify')).statusCode, 403);
    });

    test('a verification with progress streams how far it is, then the same report, and is recorded like the other', async () => {
      await t.call(admin, 'POST', '/api/v1/ledger/checkpoints');
      const whole = (await t.call(auditor, 'GET', '/api/v1/ledger/verify')).json();
      const runs = () => rowCount(t.store, 'ledger_verifications');
      const before = await runs();
      const res = await t.call(auditor, 'GET', '/api/v1/ledger/verify/progress');
      assert.equal(res.statusCode, 200, res.body);
      assert.match(String(res.headers['content-type']), /^application\/x-ndjson/);
      const lines = res.body
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l));
      const progress = lines.slice(0, -1).map((l) => l.progress as { done: number; total: number });
      assert.ok(progress.length >= 1 && progress.every((p) => p && p.done <= p.total), res.body);
      assert.deepEqual(
        progress.map((p) => p.done),
        progress.map((p) => p.done).sort((a, b) => a - b),
        'done only grows',
      );
      const report = lines.at(-1).report;
      assert.equal(progress.at(-1)?.done, report.events, 'the last progress line is the whole snapshot');
      assert.deepEqual(
        { ok: report.ok, events: report.events, rootHash: report.rootHash, checkpointsChecked: report.checkpointsChecked },
        { ok: true, events: whole.events, rootHash: whole.rootHash, checkpointsChecked: whole.checkpointsChecked },
      );
      assert.equal(await runs(), before + 1, 'recorded as a verification (the dashboard shows it)');
      const refused = await t.call(lead, 'GET', '/api/v1/ledger/verify/progress');
      assert.equal(refused.statusCode, 403);
      assert.equal(await runs(), before + 1, 'a refusal runs and records nothing');
    });
  });
}
