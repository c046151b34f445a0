// Tampering for real, as someone with write access to the database would: drop the append-only
// triggers, then edit, delete, reorder or truncate rows, or swap the signing key. Verification
// must name each, with the first bad sequence number; the CLI must exit 1 saying so.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { sql } from 'kysely';
import { runCli } from '../../test/cli.js';
import { cliCommand } from '../../test/compiled-cli.js';
import { DIALECTS, freshDatabaseUrl } from '../../test/stores.js';
import { loadConfig } from '../config.js';
import { type RequestContext, systemContext } from '../context.js';
import { createStore, type Dialect, type Store } from '../db/store.js';
import { verifyCheckpoint } from './checkpoint-note.js';
import { makeCheckpoint } from './checkpoints.service.js';
import { INDEX_COLUMNS, type IndexColumn } from './leaf-batch.js';
import { appendEvents } from './ledger.service.js';
import { type LedgerSigner, loadSigningKey } from './signing-key.js';
import { verifyLedger } from './verify.service.js';
import { fromHex, verifyInclusion } from './verify-lib.js';

interface Ledger {
  store: Store;
  url: string;
  keyFile: string;
  signer: LedgerSigner;
}

async function openLedger(dialect: Dialect, events: number): Promise<Ledger> {
  // A copy of the migrated template: each test tampers with a ledger of its own, none migrates.
  const url = await freshDatabaseUrl(dialect, { migrated: true });
  const keyFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'proofline-key-')), 'key.pem');
  const config = loadConfig({ PROOFLINE_DATABASE_URL: url, PROOFLINE_SIGNING_KEY_FILE: keyFile });
  const store = createStore(config.database);
  const signer = loadSigningKey(config);
  const inputs = Array.from({ length: events }, (_, i) => ({
    type: 'test.happened',
    subject: { type: 'thing', id: `thing-${i % 3}` },
    // A nested "seq" key must not confuse the reorder check, which reads the top-level one.
    data: { i, seq: 1000 + i },
  }));
  await store.transact((trx) => appendEvents(trx, systemContext('tamper'), inputs));
  return { store, url, keyFile, signer };
}

/** What an attacker with database access does first. */
async function dropProtection(store: Store): Promise<void> {
  for (const table of ['ledger_events', 'ledger_checkpoints']) {
    if (store.dialect === 'postgres') {
      await sql.raw(`drop trigger ${table}_append_only on ${table}`).execute(store.writer);
    } else {
      await sql.raw(`drop trigger ${table}_no_update`).execute(store.writer);
      await sql.raw(`drop trigger ${table}_no_delete`).execute(store.writer);
    }
  }
}

const exec = (store: Store, text: string) => sql.raw(text).execute(store.writer);

for (const dialect of DIALECTS) {
  describe(`ledger tampering is detected [${dialect}]`, () => {
    let ledger: Ledger;
    let checkpointAt20: string;

    beforeEach(async () => {
      ledger = await openLedger(dialect, 20);
      checkpointAt20 = (await ledger.store.transact((trx) => makeCheckpoint(trx, { signer: ledger.signer }), { sequenced: true }))
        .checkpoint.note;
      await dropProtection(ledger.store);
    });

    const verify = (against?: string) => verifyLedger(ledger.store, { verifier: ledger.signer.verifier, against });

    test('an intact ledger verifies, checkpoints included', async () => {
      const report = await verify(checkpointAt20);
      assert.equal(report.ok, true, report.problem?.message);
      assert.equal(report.events, 20);
      assert.equal(report.checkpointsChecked, 2);
      await ledger.store.close();
    });

    test('an edited leaf is a leaf mismatch at its sequence number', async () => {
      await exec(ledger.store, `update ledger_events set leaf = replace(leaf, '"i":7', '"i":8') where seq = 7`);
      const report = await verify();
      assert.deepEqual([report.ok, report.problem?.kind, report.problem?.seq], [false, 'leaf_mismatch', 7]);
      await ledger.store.close();
    });

    test('an edited leaf with a recomputed leaf hash is a root mismatch at the checkpoint', async () => {
      const row = await ledger.store.db.selectFrom('ledger_events').select('leaf').where('seq', '=', 7).executeTakeFirstOrThrow();
      const forged = row.leaf.replace('"i":7', '"i":8');
      const { leafHash } = await import('./merkle.js');
      await ledger.store.writer
        .updateTable('ledger_events')
        .set({ leaf: forged, leaf_hash: leafHash(Buffer.from(forged)) })
        .where('seq', '=', 7)
        .execute();
      const report = await verify();
      assert.equal(report.problem?.kind, 'root_mismatch');
      assert.match(report.problem?.message ?? '', /root mismatch at checkpoint 20/);
      await ledger.store.close();
    });

    test('a deleted row is a gap at its sequence number', async () => {
      await exec(ledger.store, 'delete from ledger_events where seq = 4');
      const report = await verify();
      assert.deepEqual([report.problem?.kind, report.problem?.seq], ['gap', 4]);
      assert.match(report.problem?.message ?? '', /sequence number 4 is missing/);
      await ledger.store.close();
    });

    test('two rows with swapped sequence numbers are a reorder at the first', async () => {
      await exec(ledger.store, 'update ledger_events set seq = -1 where seq = 11');
      await exec(ledger.store, 'update ledger_events set seq = 11 where seq = 12');
      await exec(ledger.store, 'update ledger_events set seq = 12 where seq = -1');
      const report = await verify();
      assert.deepEqual([report.problem?.kind, report.problem?.seq], ['reorder', 11]);
      await ledger.store.close();
    });

    test('a truncated tail is detected through the checkpoint that covered it, head rewritten or not', async () => {
      const { MerkleFrontier } = await import('./merkle.js');
      await exec(ledger.store, 'delete from ledger_events where seq >= 17');
      // A careful attacker also rewinds the head to the shortened tree.
      const leaves = await ledger.store.db.selectFrom('ledger_events').select('leaf_hash').orderBy('seq').execute();
      const frontier = new MerkleFrontier();
      for (const row of leaves) frontier.append(new Uint8Array(row.leaf_hash));
      const hashes = frontier.state().hashes.map((h) => Buffer.from(h).toString('base64'));
      await ledger.store.writer
        .updateTable('ledger_head')
        .set({ size: 17, frontier: JSON.stringify(hashes) })
        .execute();
      const report = await verify();
      assert.deepEqual([report.problem?.kind, report.problem?.seq], ['truncated', 17]);
      assert.match(report.problem?.message ?? '', /checkpoint 20 covers 20 events but the ledger ends at 17/);
      await ledger.store.close();
    });

    test('a replaced signing key makes every earlier checkpoint a bad signature', async () => {
      fs.rmSync(ledger.keyFile);
      const newSigner = loadSigningKey(loadConfig({ PROOFLINE_SIGNING_KEY_FILE: ledger.keyFile }));
      const report = await verifyLedger(ledger.store, { verifier: newSigner.verifier });
      assert.equal(report.problem?.kind, 'bad_signature');
      assert.match(report.problem?.message ?? '', /bad signature on checkpoint 20/);
      await ledger.store.close();
    });

    test('history rewritten with checkpoints and head to match is a fork from a saved checkpoint', async () => {
      const { MerkleFrontier, leafHash } = await import('./merkle.js');
      const rows = await ledger.store.db.selectFrom('ledger_events').select(['seq', 'leaf']).orderBy('seq').execute();
      const frontier = new MerkleFrontier();
      for (const row of rows) {
        const leaf = row.seq === 3 ? row.leaf.replace('"i":3', '"i":33') : row.leaf;
        const hash = leafHash(Buffer.from(leaf));
        frontier.append(hash);
        if (row.seq === 3)
          await ledger.store.writer.updateTable('ledger_events').set({ leaf, leaf_hash: hash }).where('seq', '=', 3).execute();
      }
      const hashes = frontier.state().hashes.map((h) => Buffer.from(h).toString('base64'));
      await ledger.store.writer
        .updateTable('ledger_head')
        .set({ frontier: JSON.stringify(hashes) })
        .execute();
      await exec(ledger.store, 'delete from ledger_checkpoints');
      assert.equal((await verify()).ok, true, 'without outside evidence the rewrite is self-consistent');
      const report = await verify(checkpointAt20);
      assert.equal(report.problem?.kind, 'fork');
      assert.match(report.problem?.message ?? '', /fork from saved checkpoint 20/);
      await ledger.store.close();
    });

    test('a saved checkpoint beyond the ledger is truncation; a forged one is a bad signature', async () => {
      await exec(ledger.store, 'delete from ledger_checkpoints');
      await exec(ledger.store, 'delete from ledger_events where seq >= 18');
      const truncated = await verify(checkpointAt20);
      assert.equal(truncated.problem?.kind, 'truncated');
      assert.match(truncated.problem?.message ?? '', /saved checkpoint covers 20 events/);
      const forged = checkpointAt20.replace('\n20\n', '\n18\n');
      assert.equal((await verify(forged)).problem?.kind, 'bad_signature');
      await ledger.store.close();
    });

    test('the CLI exits 0 when intact and 1 naming the first bad sequence number', async () => {
      // The commands run in the CLI host (test/cli.ts); the last, the one that must fail, as a process
      // of its own, so the exit code is proven at the process boundary too.
      const cli = (...args: string[]) => runCli(ledger.url, args, undefined, { PROOFLINE_SIGNING_KEY_FILE: ledger.keyFile });
      const saved = path.join(path.dirname(ledger.keyFile), 'saved.txt');
      const save = await cli('checkpoint', 'save', saved);
      assert.equal(save.code, 0, save.stderr);
      // As an auditor would: with the verifier key only, no private key.
      const intact = await cli('verify', '--against', saved, '--key', ledger.signer.verifierKey);
      assert.equal(intact.code, 0, intact.stderr);
      assert.match(intact.stdout, /ledger intact: 20 events, 2 checkpoints checked/);
      const inclusion = await cli('proof', 'inclusion', '3', '--size', '20', '--json');
      assert.equal(inclusion.code, 0, inclusion.stderr);
      const proof = JSON.parse(inclusion.stdout);
      assert.ok(verifyInclusion(fromHex(proof.leafHash), 3, 20, proof.proof.map(fromHex), fromHex(proof.rootHash)));
      assert.ok(verifyCheckpoint(proof.checkpoint, ledger.signer.verifier).ok);
      const consistency = await cli('proof', 'consistency', '5', '20');
      assert.equal(consistency.code, 0, consistency.stderr);
      assert.match(consistency.stdout, /tree of 5 events \(root [0-9a-f]{64}\) is a prefix of the tree of 20 events/);
      await exec(ledger.store, `update ledger_events set leaf = replace(leaf, '"i":5', '"i":6') where seq = 5`);
      const env = { ...process.env, PROOFLINE_DATABASE_URL: ledger.url, PROOFLINE_SIGNING_KEY_FILE: ledger.keyFile };
      const broken = spawnSync(process.execPath, [...cliCommand(), 'verify'], { env, encoding: 'utf8' });
      assert.equal(broken.status, 1);
      assert.match(broken.stderr, /first bad sequence number 5: leaf mismatch at 5/);
      await ledger.store.close();
    });
  });

  describe(`index columns that disagree with their leaf are found [${dialect}]`, () => {
    // The columns queries filter on are copies of leaf fields, outside the hash: rewriting one (leaf
    // untouched) would move an event out of a system's timeline or list it under a forged type.
    let ledger: Ledger;
    const verify = () => verifyLedger(ledger.store, { verifier: ledger.signer.verifier });

    beforeEach(async () => {
      ledger = await openLedger(dialect, 6);
      const user: RequestContext = {
        actor: { ...systemContext().actor, kind: 'user', userId: 'user-1', email: 'ann@example.org', displayName: 'Ann' },
        requestId: 'req-1',
        sourceAddress: '192.0.2.7',
        policies: systemContext().policies,
      };
      // seq 6: a system created by a user; seq 7: one with escaped characters in every field
      // the byte check reads, which only JSON.parse can confirm.
      await ledger.store.transact((trx) =>
        appendEvents(trx, user, [{ type: 'system.created', subject: { type: 'ai_system', id: 'sys-1', version: 1 }, reason: 'new' }]),
      );
      const odd: RequestContext = {
        actor: { ...user.actor, userId: 'user-"2"', email: 'a\\b@example.org', displayName: 'Line\nbreak' },
        requestId: 'req-"2"',
        sourceAddress: '192.0.2."8"',
        policies: systemContext().policies,
      };
      await ledger.store.transact((trx) =>
        appendEvents(trx, odd, [
          { type: 'test.odd."type"', subject: { type: 'thing\\', id: 'id\t"x"' }, reason: 'say "hi"\n', onBehalfOf: 'on "behalf"' },
        ]),
      );
      // seq 8: only the subject id is escaped, so nothing else on the row sends it to JSON.parse.
      await ledger.store.transact((trx) =>
        appendEvents(trx, systemContext(), [{ type: 'test.plain', subject: { type: 'thing', id: 'a"b' } }]),
      );
      // seq 9: a record of system sys-1 (data.systemId), with decoy systemIds nested elsewhere.
      await ledger.store.transact((trx) =>
        appendEvents(trx, user, [
          {
            type: 'exception.opened',
            subject: { type: 'exception', id: 'exc-1', version: 1 },
            after: { systemId: 'sys-9' },
            data: { link: { systemId: 'sys-8' }, systemId: 'sys-1' },
          },
        ]),
      );
      await ledger.store.transact((trx) => makeCheckpoint(trx, { signer: ledger.signer }), { sequenced: true });
      await dropProtection(ledger.store);
    });

    test('an intact ledger with user actors and escaped characters verifies', async () => {
      const report = await verify();
      assert.deepEqual([report.ok, report.events, report.problem], [true, 10, null]);
      const systems = await ledger.store.db
        .selectFrom('ledger_events')
        .select(['seq', 'system_id'])
        .where('seq', 'in', [6, 8, 9])
        .orderBy('seq')
        .execute();
      assert.deepEqual(
        systems.map((r) => [Number(r.seq), r.system_id]),
        [
          [6, 'sys-1'],
          [8, null],
          [9, 'sys-1'],
        ],
      );
      await ledger.store.close();
    });

    test('a system_id rewritten to hide an event from its system, to misfile it, or to file it under a decoy is found', async () => {
      for (const [sql, seq] of [
        [`update ledger_events set system_id = null where seq = 6`, 6], // hides system.created from the system's history
        [`update ledger_events set system_id = 'sys-1' where seq = 8`, 8], // files an unrelated event under a system
        [`update ledger_events set system_id = 'sys-9' where seq = 9`, 9], // a nested decoy, not data.systemId
        [`update ledger_events set system_id = 'sys-8' where seq = 9`, 9],
        [`update ledger_events set system_id = null where seq = 9`, 9],
      ] as const) {
        await exec(ledger.store, sql);
        const report = await verify();
        assert.deepEqual([report.problem?.kind, report.problem?.seq, report.problem?.column], ['index_mismatch', seq, 'system_id'], sql);
        await exec(ledger.store, `update ledger_events set system_id = ${seq === 8 ? 'null' : "'sys-1'"} where seq = ${seq}`);
        assert.equal((await verify()).ok, true, `restored after: ${sql}`);
      }
      await ledger.store.close();
    });

    const forged: Record<IndexColumn, string> = {
      event_id: `'00000000-0000-7000-8000-000000000000'`,
      type: `'system.archived'`,
      actor_id: `'user-9'`,
      subject_type: `'thing'`,
      subject_id: `'sys-2'`,
      recorded_at: `'2020-01-01T00:00:00.000Z'`,
      system_id: `'sys-2'`,
    };
    for (const column of INDEX_COLUMNS) {
      test(`a rewritten ${column} is an index mismatch at its sequence number, naming the column`, async () => {
        await exec(ledger.store, `update ledger_events set ${column} = ${forged[column]} where seq = 6`);
        const report = await verify();
        assert.deepEqual(
          [report.ok, report.problem?.kind, report.problem?.seq, report.problem?.column],
          [false, 'index_mismatch', 6, column],
        );
        assert.match(report.problem?.message ?? '', new RegExp(`^index mismatch at 6: column ${column} holds `));
        assert.equal(report.events, 6, 'verification stops at the first bad row');
        await ledger.store.close();
      });
    }

    test('an escaped field is held against its decoded value; a NULL actor against a user', async () => {
      // The leaf's raw, still-escaped bytes are not its value.
      await exec(ledger.store, `update ledger_events set subject_id = 'a\\"b' where seq = 8`);
      const raw = await verify();
      assert.deepEqual([raw.problem?.kind, raw.problem?.seq, raw.problem?.column], ['index_mismatch', 8, 'subject_id']);
      await exec(ledger.store, `update ledger_events set subject_id = 'id\\t"x"' where seq = 7`);
      const escaped = await verify();
      assert.deepEqual([escaped.problem?.kind, escaped.problem?.seq, escaped.problem?.column], ['index_mismatch', 7, 'subject_id']);
      await exec(
        ledger.store,
        `update ledger_events set subject_id = 'id' || ${dialect === 'postgres' ? 'chr(9)' : 'char(9)'} || '"x"', actor_id = null where seq = 7`,
      );
      const nulled = await verify();
      assert.deepEqual([nulled.problem?.kind, nulled.problem?.seq, nulled.problem?.column], ['index_mismatch', 7, 'actor_id']);
      await ledger.store.close();
    });

    test('the first of several rewritten rows is named', async () => {
      await exec(ledger.store, `update ledger_events set type = 'x' where seq = 4`);
      await exec(ledger.store, `update ledger_events set subject_id = 'x' where seq = 2`);
      const report = await verify();
      assert.deepEqual([report.problem?.kind, report.problem?.seq, report.problem?.column], ['index_mismatch', 2, 'subject_id']);
      await ledger.store.close();
    });

    test('the CLI exits 1 naming the sequence number and the column', async () => {
      await exec(ledger.store, `update ledger_events set type = 'system.archived' where seq = 6`);
      const env = { ...process.env, PROOFLINE_DATABASE_URL: ledger.url, PROOFLINE_SIGNING_KEY_FILE: ledger.keyFile };
      const broken = spawnSync(process.execPath, [...cliCommand(), 'verify'], { env, encoding: 'utf8' });
      assert.equal(broken.status, 1, broken.stderr);
      assert.match(
        broken.stderr,
        /first bad sequence number 6: index mismatch at 6: column type holds "system\.archived" but the leaf says "system\.created"/,
      );
      const json = await runCli(ledger.url, ['verify', '--json'], undefined, { PROOFLINE_SIGNING_KEY_FILE: ledger.keyFile });
      assert.equal(json.code, 1);
      assert.deepEqual(JSON.parse(json.stdout).problem, {
        kind: 'index_mismatch',
        seq: 6,
        message: 'index mismatch at 6: column type holds "system.archived" but the leaf says "system.created"',
        column: 'type',
      });
      await ledger.store.close();
    });
  });

  describe(`tampering deep in a ledger of several read batches is found [${dialect}]`, () => {
    // Verification reads 10,000 rows a batch (on SQLite in a worker thread, which may hash
    // leaves ahead): problems past the first batches must be named exactly as in the first.
    test('an edited leaf and a deleted row, each at its own sequence number', async () => {
      const ledger = await openLedger(dialect, 21_000);
      try {
        const verify = () => verifyLedger(ledger.store, { verifier: ledger.signer.verifier });
        const intact = await verify();
        assert.deepEqual([intact.ok, intact.events], [true, 21_000]);
        await dropProtection(ledger.store);
        await exec(ledger.store, `update ledger_events set leaf = replace(leaf, '"i":20500', '"i":20501') where seq = 20500`);
        const edited = await verify();
        assert.deepEqual([edited.problem?.kind, edited.problem?.seq, edited.events], ['leaf_mismatch', 20500, 20500]);
        await exec(ledger.store, `update ledger_events set leaf = replace(leaf, '"i":20501', '"i":20500') where seq = 20500`);
        await exec(ledger.store, `update ledger_events set subject_id = 'thing-9' where seq = 16001`);
        const reindexed = await verify();
        assert.deepEqual(
          [reindexed.problem?.kind, reindexed.problem?.seq, reindexed.problem?.column],
          ['index_mismatch', 16001, 'subject_id'],
        );
        await exec(ledger.store, 'delete from ledger_events where seq = 12345');
        const deleted = await verify();
        assert.deepEqual([deleted.problem?.kind, deleted.problem?.seq], ['gap', 12345]);
        assert.match(deleted.problem?.message ?? '', /sequence number 12345 is missing \(the next row is 12346\)/);
      } finally {
        await ledger.store.close();
      }
    });
  });
}

describe('seqInLeaf', () => {
  let store: Store;
  before(async () => {
    store = (await openLedger('sqlite', 3)).store;
  });
  after(() => store.close());

  test('reads the top-level seq of real canonical events, past nested "seq" keys', async () => {
    const { seqInLeaf } = await import('./verify.service.js');
    const rows = await store.db.selectFrom('ledger_events').select(['seq', 'leaf']).orderBy('seq').execute();
    assert.equal(rows.length, 3);
    for (const row of rows) {
      assert.ok(row.leaf.includes(`"seq":${1000 + row.seq}`), 'the nested key is there to be skipped');
      assert.equal(seqInLeaf(Buffer.from(row.leaf)), JSON.parse(row.leaf).seq);
    }
  });
});

describe('columnsMatchLeaf', () => {
  test('confirms ordinary rows from their bytes alone, and leaves escaped ones to JSON.parse', async () => {
    const { store } = await openLedger('sqlite', 5);
    try {
      const actor = { ...systemContext().actor, kind: 'user' as const, userId: 'u-1', email: 'e@example.org', displayName: 'E' };
      await store.transact((trx) =>
        appendEvents(trx, { actor, requestId: 'r', sourceAddress: '192.0.2.1', policies: systemContext().policies }, [
          { type: 'system.created', subject: { type: 'ai_system', id: 's-1', version: 1 }, reason: 'why', onBehalfOf: 'u-2' },
          { type: 'test.quoted', subject: { type: 'thing', id: 'say "x"' } },
          { type: 'exception.opened', subject: { type: 'exception', id: 'e-1' }, data: { deep: { systemId: 'x' }, systemId: 's-1' } },
        ]),
      );
      const { BATCH_ROWS, beginSqliteSnapshot, sqliteLeafBatches } = await import('./verify-sqlite-reader.js');
      const { columnsMatchLeaf, seqKeyAt } = await import('./verify-index.js');
      const handle = store.sqlite as NonNullable<Store['sqlite']>;
      beginSqliteSnapshot(handle);
      const [batch] = [...sqliteLeafBatches(handle)];
      handle.exec('commit');
      assert.ok(batch.count === 8 && batch.count < BATCH_ROWS);
      const leaves = Buffer.from(batch.leaves.buffer, batch.leaves.byteOffset, batch.leaves.length);
      const confirmed = Array.from({ length: batch.count }, (_, i) => {
        const [start, end] = [batch.leafStarts[i] + 1, batch.leafEnds[i]];
        return columnsMatchLeaf(leaves, start, end, seqKeyAt(leaves, start, end), batch.columnOffsets, batch.columnNulls, i);
      });
      assert.deepEqual(confirmed, [true, true, true, true, true, true, false, true]);
    } finally {
      await store.close();
    }
  });
});
