// The integration round inside PostgreSQL (proofline_integrate, migration 20261201_0900) makes the
// tree ledger/merkle.ts makes: the same leaves, leaf hashes, stored nodes and head, byte for byte,
// over rounds that end at sizes that are not powers of two; and the ledger it leaves verifies.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { createPgDatabase } from '../../test/stores.js';
import { loadConfig } from '../config.js';
import { createPostgresStore } from '../db/store.js';
import { eventLeafParts } from './event-leaf.js';
import { LEDGER_LOCK_KEY } from './integrator.js';
import { LOWEST_STORED_LEVEL } from './ledger.repository.js';
import { leafHashOfText, MerkleFrontier } from './merkle.js';
import { loadSigningKey } from './signing-key.js';
import { verifyLedger } from './verify.service.js';

/** Queued rows as a write leaves them (ledger/event-leaf.ts), some with non-ASCII text. */
function queuedRows(count: number) {
  return Array.from({ length: count }, (_, i) => {
    const id = randomUUID();
    const recordedAt = new Date(Date.UTC(2026, 11, 1, 0, 0, i)).toISOString();
    const [leafHead, leafTail] = eventLeafParts({
      v: 1,
      id,
      type: 'test.write',
      recordedAt,
      actor: { kind: 'system', id: null, email: null, name: 'test', roles: [] },
      subject: { type: 'test', id: `s${i}` },
      data: { name: i % 7 === 0 ? `Système ${i} – 検証 🧾` : `system ${i}` },
      requestId: 'integrate-function',
    });
    return { event_id: id, subject_id: `s${i}`, recorded_at: recordedAt, leaf_head: leafHead, leaf_tail: leafTail };
  });
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

describe('proofline_integrate makes the tree merkle.ts makes [postgres]', () => {
  let url: string;
  let client: pg.Client;
  before(async () => {
    url = await createPgDatabase({ migrated: true });
    client = new pg.Client({ connectionString: url });
    await client.connect();
  });
  after(() => client.end());

  test('leaves, leaf hashes, stored nodes and head match after each of several rounds', async () => {
    const rows = queuedRows(389);
    for (const row of rows) {
      await client.query(
        `insert into ledger_queue (event_id, type, subject_type, subject_id, recorded_at, leaf_head, leaf_tail)
         values ($1, 'test.write', 'test', $2, $3, $4, $5)`,
        [row.event_id, row.subject_id, row.recorded_at, row.leaf_head, row.leaf_tail],
      );
    }
    const frontier = new MerkleFrontier();
    const nodes: string[] = [];
    const leaves: Array<{ seq: number; event_id: string; leaf: string; leaf_hash: string }> = [];
    let next = 0;
    // Rounds of uneven length: the tree is 1, 3, 16, 29, 93, 200, 389 leaves after each.
    for (const limit of [1, 2, 13, 13, 64, 107, 250]) {
      const { rows: result } = await client.query('select proofline_integrate($1) as integrated', [limit]);
      const expected = Math.min(limit, rows.length - next);
      assert.equal(result[0].integrated, expected, `a round of at most ${limit} integrates ${expected}`);
      for (const row of rows.slice(next, next + expected)) {
        const seq = frontier.size;
        const leaf = row.leaf_head + String(seq) + row.leaf_tail;
        const hash = leafHashOfText(leaf);
        leaves.push({ seq, event_id: row.event_id, leaf, leaf_hash: b64(hash) });
        frontier.add(hash, (level, index, nodeHash) => {
          if (level >= LOWEST_STORED_LEVEL) nodes.push(`${level}/${index}/${b64(nodeHash)}`);
        });
      }
      next += expected;
      const head = await client.query('select size, frontier from ledger_head where id = 1');
      assert.equal(Number(head.rows[0].size), frontier.size);
      assert.equal(head.rows[0].frontier, JSON.stringify(frontier.state().hashes.map(b64)), `the head after ${frontier.size} leaves`);
    }
    assert.equal(frontier.size, 389);

    const events = await client.query(
      "select seq, event_id, leaf, encode(leaf_hash, 'base64') as leaf_hash from ledger_events order by seq",
    );
    assert.deepEqual(
      events.rows.map((r) => ({ ...r, seq: Number(r.seq) })),
      leaves,
    );
    const stored = await client.query("select level, idx, encode(hash, 'base64') as hash from ledger_nodes order by level, idx");
    assert.deepEqual(stored.rows.map((r) => `${r.level}/${r.idx}/${r.hash}`).sort(), nodes.sort());
    assert.ok(nodes.length > 20, 'the rounds completed stored nodes');
    const queue = await client.query('select count(*)::int as n from ledger_queue');
    assert.equal(queue.rows[0].n, 0, 'the integrated rows left the queue');
    assert.equal(
      (await client.query('select proofline_integrate(10) as integrated')).rows[0].integrated,
      0,
      'an empty queue: nothing to do',
    );

    const keyFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'proofline-key-')), 'key.pem');
    const signer = loadSigningKey(loadConfig({ PROOFLINE_SIGNING_KEY_FILE: keyFile }));
    const store = createPostgresStore(url);
    try {
      const report = await verifyLedger(store, { verifier: signer.verifier });
      assert.equal(report.ok, true, report.problem?.message);
    } finally {
      await store.close();
    }
  });

  test('the function takes the ledger lock and stores the levels the repository reads', async () => {
    const { rows } = await client.query("select prosrc from pg_proc where proname = 'proofline_integrate'");
    const source = rows[0].prosrc as string;
    assert.match(source, new RegExp(`pg_advisory_xact_lock\\(${LEDGER_LOCK_KEY}\\)`));
    assert.match(source, new RegExp(`node_level >= ${LOWEST_STORED_LEVEL} then`));
  });
});
