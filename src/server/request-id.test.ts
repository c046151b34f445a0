// Request ids: a well-formed X-Request-Id is kept (response, logs, the ledger event's requestId),
// anything else is replaced by a fresh one; a W3C traceparent's trace id is logged with the request.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { createTestApp, type TestApp, type TestUser } from '../../test/app.js';
import { DIALECTS, ledgerSize } from '../../test/stores.js';
import { parseTraceparent, REQUEST_ID_PATTERN } from './request-id.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const TRACEPARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('traceparent and X-Request-Id formats', () => {
  test('a W3C traceparent is parsed; malformed ones are not', () => {
    assert.deepEqual(parseTraceparent(TRACEPARENT), { traceId: TRACE_ID, parentId: '00f067aa0ba902b7', flags: '01' });
    assert.equal(parseTraceparent(`01-${TRACE_ID}-00f067aa0ba902b7-01-later-fields`)?.traceId, TRACE_ID, 'a later version may add fields');
    for (const bad of [
      undefined,
      '',
      `ff-${TRACE_ID}-00f067aa0ba902b7-01`,
      `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`,
      `00-${TRACE_ID}-${'0'.repeat(16)}-01`,
      `00-${TRACE_ID.toUpperCase()}-00f067aa0ba902b7-01`,
      `00-${TRACE_ID}-00f067aa0ba902b7-01-extra`,
      `00-${TRACE_ID.slice(1)}-00f067aa0ba902b7-01`,
    ]) {
      assert.equal(parseTraceparent(bad), null, String(bad));
    }
  });

  test('an X-Request-Id is well-formed when short and made of letters, digits and ._:-', () => {
    for (const good of ['abc', 'req-1.2:3_4', 'a'.repeat(128)]) assert.ok(REQUEST_ID_PATTERN.test(good), good);
    for (const bad of ['', 'a'.repeat(129), 'has space', 'new\nline', 'quote"', 'ünï']) assert.ok(!REQUEST_ID_PATTERN.test(bad), bad);
  });
});

for (const dialect of DIALECTS) {
  describe(`request ids [${dialect}]`, () => {
    let t: TestApp;
    let admin: TestUser;
    const lines: Array<Record<string, unknown>> = [];
    before(async () => {
      const sink = new Writable({
        write(chunk, _encoding, done) {
          for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
          done();
        },
      });
      t = await createTestApp(dialect, {}, pino({ level: 'info' }, sink));
      admin = await t.user(['admin']);
    });
    after(() => t.close());

    const noteEvent = async (noteId: string) => {
      const row = await t.store.db.selectFrom('ledger_events').select('leaf').where('subject_id', '=', noteId).executeTakeFirstOrThrow();
      return JSON.parse(row.leaf) as { requestId: string };
    };

    test('a well-formed X-Request-Id is answered, logged with the traceparent trace id, and written into the ledger event', async () => {
      const before = await ledgerSize(t.store);
      const res = await t.call(
        admin,
        'POST',
        '/api/v1/ledger/notes',
        { text: 'a traced note for the test' },
        { 'x-request-id': 'edge-42:a.b_c', traceparent: TRACEPARENT },
      );
      assert.equal(res.statusCode, 201, res.body);
      assert.equal(res.headers['x-request-id'], 'edge-42:a.b_c');
      assert.equal((await noteEvent(res.json<{ id: string }>().id)).requestId, 'edge-42:a.b_c');
      assert.equal(await ledgerSize(t.store), before + 1);
      const logged = lines.filter((l) => l.requestId === 'edge-42:a.b_c');
      assert.equal(logged.length, 1, 'one line per request, written when it completes, carries the id');
      assert.equal(logged[0].traceId, TRACE_ID, 'and the trace id');
      assert.equal(logged[0].msg, 'request completed');
      assert.deepEqual(
        [
          (logged[0].req as { method: string }).method,
          (logged[0].req as { url: string }).url,
          (logged[0].res as { statusCode: number }).statusCode,
        ],
        ['POST', '/api/v1/ledger/notes', 201],
        'the one line says what was asked and how it was answered',
      );
      assert.equal(logged[0].user, admin.email, 'and who asked (bound by the access hook)');
      assert.equal(typeof logged[0].responseTime, 'number');
    });

    test('a malformed X-Request-Id is replaced by a fresh one everywhere; an invalid traceparent is not logged', async () => {
      for (const given of ['has space', 'x'.repeat(129), 'semi;colon']) {
        const res = await t.call(
          admin,
          'POST',
          '/api/v1/ledger/notes',
          { text: 'an untraced note for the test' },
          { 'x-request-id': given, traceparent: `00-${'0'.repeat(32)}-00f067aa0ba902b7-01` },
        );
        assert.equal(res.statusCode, 201, res.body);
        const id = String(res.headers['x-request-id']);
        assert.match(id, UUID);
        assert.equal((await noteEvent(res.json<{ id: string }>().id)).requestId, id);
        assert.equal(lines.filter((l) => l.requestId === given).length, 0, 'the malformed id is never logged as the request id');
        const logged = lines.filter((l) => l.requestId === id);
        assert.equal(logged.length, 1);
        assert.ok(logged.every((l) => l.traceId === undefined));
      }
    });

    test('an error answer carries the accepted request id too', async () => {
      const res = await t.call(null, 'GET', '/api/v1/systems', undefined, { 'x-request-id': 'err-7' });
      assert.equal(res.statusCode, 401);
      assert.equal(res.json<{ error: { code: string } }>().error.code, 'unauthenticated');
      assert.equal(res.headers['x-request-id'], 'err-7');
    });
  });
}
