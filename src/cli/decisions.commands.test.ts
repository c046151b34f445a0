import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cliDatabase, cliUser, runCli } from '../../test/cli.js';
import { buildSystem } from '../../test/factories.js';
import { DIALECTS, ledgerSize } from '../../test/stores.js';
import type { Store } from '../db/store.js';

const DIGEST = 'a'.repeat(64);

function writeFile(text: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'proofline-decisions-')), 'records.jsonl');
  fs.writeFileSync(file, text);
  return file;
}

for (const dialect of DIALECTS) {
  describe(`proofline decisions ingest|show [${dialect}]`, () => {
    let url: string;
    let store: Store;
    let systemId: string;
    const record = (decisionId: string, extra: Record<string, unknown> = {}) =>
      JSON.stringify({ decisionId, systemId, decidedAt: new Date().toISOString(), inputDigest: DIGEST, output: { score: 0.7 }, ...extra });
    const decisionCount = async () =>
      Number(
        (
          await store.db
            .selectFrom('decisions')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );

    before(async () => {
      ({ url, store } = await cliDatabase(dialect));
      systemId = (await buildSystem(store)).id;
    });
    after(() => store.close());

    test("ingest records a JSON Lines file as one batch with the reporter's ingest token; show prints a decision", async () => {
      const reporter = await cliUser(store, ['contributor'], ['ingest']);
      const file = writeFile(`${record('d-1')}\n\n${record('d-2')}\n`);
      const ingested = await runCli(url, ['decisions', 'ingest', file, '--as', reporter.email, '--token-stdin', '--json'], reporter.token);
      assert.equal(ingested.code, 0, ingested.stderr);
      const receipt = JSON.parse(ingested.stdout);
      assert.equal(receipt.count, 2);
      const event = await store.db
        .selectFrom('ledger_events')
        .select('leaf')
        .where('type', '=', 'decisions.batch_recorded')
        .where('subject_id', '=', receipt.batchId)
        .executeTakeFirstOrThrow();
      assert.equal(JSON.parse(event.leaf).actor.email, reporter.email);
      assert.equal(JSON.parse(event.leaf).via.credential, 'api_token');
      const row = await store.db.selectFrom('decisions').select('id').where('decision_id', '=', 'd-2').executeTakeFirstOrThrow();
      const shown = await runCli(url, ['decisions', 'show', row.id, '--json']);
      assert.equal(shown.code, 0, shown.stderr);
      assert.deepEqual(JSON.parse(shown.stdout).output, { score: 0.7 });
      assert.equal(JSON.parse(shown.stdout).batchId, receipt.batchId);
      const missing = await runCli(url, ['decisions', 'show', 'nope']);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /^proofline: not_found: /);
    });

    test('a file with two bad records names both, one line each, and writes nothing', async () => {
      const reporter = await cliUser(store, ['contributor'], ['ingest']);
      const bad = JSON.stringify({ decisionId: 'd-4', systemId, inputDigest: DIGEST, output: 1 });
      const file = writeFile([record('d-3'), bad, record('d-5'), record('d-6', { confidence: 2 })].join('\n'));
      const [events, decisions] = [await ledgerSize(store), await decisionCount()];
      const refused = await runCli(url, ['decisions', 'ingest', file, '--as', reporter.email, '--token-stdin'], reporter.token);
      assert.equal(refused.code, 1);
      const lines = refused.stderr.trimEnd().split('\n');
      assert.deepEqual(lines.slice(0, 2), [
        'line 2: records[1].decidedAt is required: an ISO 8601 date-time with a time zone',
        'line 4: records[3].confidence must be a number from 0 to 1',
      ]);
      assert.match(lines[2], /^proofline: validation_failed: 2 of the batch's records are malformed .*nothing was recorded$/);
      assert.equal(lines.length, 3);
      assert.equal(await ledgerSize(store), events);
      assert.equal(await decisionCount(), decisions);
    });

    test('who may ingest: --as needs that account’s ingest token and a writer role; the operator may without --as', async () => {
      const file = writeFile(record(`d-${Date.now()}`));
      const writer = await cliUser(store, ['contributor'], ['write']);
      const auditor = await cliUser(store, ['auditor'], ['ingest']);
      const before = await ledgerSize(store);
      const named = await runCli(url, ['decisions', 'ingest', file, '--as', writer.email]);
      assert.equal(
        named.stderr,
        'proofline: token_required: ingesting as a person takes their API token with the ingest scope: add --token-stdin\n',
      );
      const wrongScope = await runCli(url, ['decisions', 'ingest', file, '--as', writer.email, '--token-stdin'], writer.token);
      assert.equal(wrongScope.stderr, 'proofline: insufficient_scope: this API token lacks the "ingest" scope\n');
      const readOnly = await runCli(url, ['decisions', 'ingest', file, '--as', auditor.email, '--token-stdin'], auditor.token);
      assert.match(readOnly.stderr, /^proofline: forbidden: this needs one of the roles: /);
      for (const refused of [named, wrongScope, readOnly]) assert.equal(refused.code, 1);
      assert.equal(await ledgerSize(store), before);
      const operator = await runCli(url, ['decisions', 'ingest', file]);
      assert.equal(operator.code, 0, operator.stderr);
      assert.match(operator.stdout, /^recorded batch .*: 1 decision\(s\)/);
    });
  });
}
