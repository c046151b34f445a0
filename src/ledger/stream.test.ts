// The SIEM stream over a real listening server on both dialects: the backlog from a sequence
// number, live events within a second of their append, resuming with Last-Event-ID without gap or
// duplicate, the NDJSON form, refusals by stable code, and the stream ending when the server closes.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp, type TestUser } from '../../test/app.js';
import { signIn } from '../../test/sessions.js';
import { DIALECTS, ledgerSize } from '../../test/stores.js';
import { systemContext } from '../context.js';
import { addLedgerNote } from './notes.service.js';

interface Received {
  seq: number;
  type: string;
  /** The SSE `id:` line, when the stream is SSE. */
  id?: string;
}

/** Reads a stream response incrementally; `next(n)` waits for n more events or fails after `timeoutMs`. */
function reader(res: Response, sse: boolean) {
  const body = res.body;
  assert.ok(body);
  const decoder = new TextDecoder();
  const reading = body.getReader();
  let buffer = '';
  const events: Received[] = [];
  let ended = false;
  const pump = (async () => {
    for (;;) {
      const { value, done } = await reading.read().catch(() => ({ value: undefined, done: true }));
      if (done) {
        ended = true;
        return;
      }
      buffer += decoder.decode(value, { stream: true });
      const separator = sse ? '\n\n' : '\n';
      let at = buffer.indexOf(separator);
      while (at >= 0) {
        const chunk = buffer.slice(0, at);
        buffer = buffer.slice(at + separator.length);
        at = buffer.indexOf(separator);
        if (sse) {
          const lines = chunk.split('\n');
          const data = lines.find((l) => l.startsWith('data: '));
          if (!data) continue; // a heartbeat comment
          assert.ok(lines.includes('event: ledger-event'), chunk);
          const id = lines.find((l) => l.startsWith('id: '))?.slice(4);
          events.push({ ...(JSON.parse(data.slice(6)) as Received), id });
        } else if (chunk.trim() !== '') events.push(JSON.parse(chunk) as Received);
      }
    }
  })();
  return {
    events,
    ended: () => ended,
    pump,
    async next(count: number, timeoutMs = 3_000): Promise<Received[]> {
      const start = events.length;
      const deadline = Date.now() + timeoutMs;
      while (events.length < start + count) {
        if (Date.now() > deadline) throw new Error(`only ${events.length - start} of ${count} events within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 10));
      }
      return events.slice(start, start + count);
    },
    cancel: () => reading.cancel().catch(() => undefined),
  };
}

for (const dialect of DIALECTS) {
  describe(`the SIEM stream [${dialect}]`, () => {
    let t: TestApp;
    let url: string;
    let auditor: TestUser;
    const controllers: AbortController[] = [];

    before(async () => {
      t = await createTestApp(dialect);
      auditor = await t.user(['auditor'], { scopes: ['ledger:stream'] });
      url = await t.app.listen({ port: 0, host: '127.0.0.1' });
    });
    after(async () => {
      for (const c of controllers) c.abort();
      await t.close();
    });

    const note = (text: string) =>
      t.store.transact((trx) => addLedgerNote(trx, { ctx: systemContext('test'), note: { text: `a note on the ledger: ${text}` } }), {
        sequenced: true,
      });
    const open = async (path: string, user: TestUser | null, headers: Record<string, string> = {}) => {
      const controller = new AbortController();
      controllers.push(controller);
      return fetch(`${url}${path}`, {
        headers: { ...(user ? { authorization: `Bearer ${user.token}` } : {}), ...headers },
        signal: controller.signal,
      });
    };

    test('SSE: the backlog from a sequence number, then each new event within a second of its append', async () => {
      for (let i = 0; i < 3; i++) await note(`backlog ${i}`);
      const size = await ledgerSize(t.store);
      const from = size - 2;
      const res = await open(`/api/v1/ledger/stream?from=${from}`, auditor, { accept: 'text/event-stream' });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
      const stream = reader(res, true);
      const backlog = await stream.next(2);
      assert.deepEqual(
        backlog.map((e) => [e.seq, e.id]),
        [
          [from, String(from)],
          [from + 1, String(from + 1)],
        ],
      );
      const appendedAt = Date.now();
      await note('live');
      const [live] = await stream.next(1, 1_000);
      assert.ok(Date.now() - appendedAt <= 1_000);
      assert.deepEqual([live.seq, live.type], [size, 'ledger.note']);
      await stream.cancel();
    });

    test('a reconnect with Last-Event-ID resumes after it: no gap, no duplicate', async () => {
      const first = await ledgerSize(t.store);
      await note('one');
      await note('two');
      const res = await open(`/api/v1/ledger/stream?from=${first}`, auditor, { accept: 'text/event-stream' });
      const stream = reader(res, true);
      const seen = await stream.next(2);
      await stream.cancel();
      await note('while away');
      await note('while away too');
      // from= is ignored when Last-Event-ID is given: the resuming client's position wins.
      const again = await open('/api/v1/ledger/stream?from=0', auditor, { accept: 'text/event-stream', 'last-event-id': seen[1].id ?? '' });
      const resumed = reader(again, true);
      const rest = await resumed.next(2);
      await new Promise((r) => setTimeout(r, 400)); // a duplicate would arrive here
      assert.deepEqual(
        [...seen, ...resumed.events].map((e) => e.seq),
        [first, first + 1, first + 2, first + 3],
      );
      assert.equal(rest[0].seq, Number(seen[1].id) + 1);
      await resumed.cancel();
    });

    test('without Accept: text/event-stream, NDJSON: one event per line, backlog then live', async () => {
      const size = await ledgerSize(t.store);
      const res = await open(`/api/v1/ledger/stream?from=${size - 1}`, auditor);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^application\/x-ndjson/);
      const stream = reader(res, false);
      const [last] = await stream.next(1);
      assert.equal(last.seq, size - 1);
      await note('ndjson live');
      const [live] = await stream.next(1, 1_000);
      assert.equal(live.seq, size);
      await stream.cancel();
    });

    test('an auditor signed in creates their own ledger:stream token, and it streams', { timeout: 15_000 }, async () => {
      const own = await t.user(['auditor'], { password: 'auditor password 1' });
      const session = await signIn(t, own.email, 'auditor password 1', '10.9.0.7');
      const before = await ledgerSize(t.store);
      const created = await session.call('POST', '/api/v1/tokens', { name: 'siem', scopes: ['ledger:stream'] });
      assert.equal(created.statusCode, 201, created.body);
      assert.equal(await ledgerSize(t.store), before + 1, 'the token is on the ledger');
      const res = await open(
        `/api/v1/ledger/stream?from=${before}`,
        { ...own, token: created.json().token },
        { accept: 'text/event-stream' },
      );
      assert.equal(res.status, 200);
      const stream = reader(res, true);
      const [event] = await stream.next(1);
      assert.deepEqual([event.seq, event.type], [before, 'token.created']);
      await stream.cancel();
    });

    test('refusals: no token (401 unauthenticated), a read token (403 insufficient_scope), a role that may not (403 forbidden, an external auditor grant_route_refused); nothing written', {
      timeout: 15_000,
    }, async () => {
      const before = await ledgerSize(t.store);
      const reader = await t.user(['auditor'], { scopes: ['read'] });
      const contributor = await t.user(['contributor'], { scopes: ['ledger:stream'] });
      const externalAuditor = await t.user(['external_auditor'], { scopes: ['ledger:stream'] });
      const after = await ledgerSize(t.store);
      const cases: Array<[TestUser | null, number, string]> = [
        [null, 401, 'unauthenticated'],
        [reader, 403, 'insufficient_scope'],
        [contributor, 403, 'forbidden'],
        [externalAuditor, 403, 'grant_route_refused'],
      ];
      for (const [user, status, code] of cases) {
        const res = await t.call(user, 'GET', '/api/v1/ledger/stream?from=0', undefined, { accept: 'text/event-stream' });
        assert.equal(res.statusCode, status, `${user?.roles}: ${res.body}`);
        assert.equal(res.json().error.code, code);
      }
      assert.ok(after > before);
      assert.equal(await ledgerSize(t.store), after, 'a refused stream writes nothing');
    });
  });

  describe(`the SIEM stream ends when the server closes [${dialect}]`, () => {
    test('an open stream ends promptly on close, and the close does not hang on it', { timeout: 15_000 }, async () => {
      const t = await createTestApp(dialect);
      const auditor = await t.user(['auditor'], { scopes: ['ledger:stream'] });
      const url = await t.app.listen({ port: 0, host: '127.0.0.1' });
      const res = await fetch(`${url}/api/v1/ledger/stream`, {
        headers: { authorization: `Bearer ${auditor.token}`, accept: 'text/event-stream' },
      });
      const stream = reader(res, true);
      await stream.next(1);
      const closing = Date.now();
      await t.close();
      await stream.pump;
      assert.ok(stream.ended(), 'the stream ended');
      assert.ok(Date.now() - closing < 3_000, `close took ${Date.now() - closing} ms`);
    });
  });
}
