// `proofline feedback list|give|convert` on both databases: the same use cases and workflow as the
// API (only those who handle feedback convert it, and only once), each a ledger event; each refusal
// is one line with its code and writes nothing.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { cliDatabase, cliUser, runCli } from '../../test/cli.js';
import { buildSystem } from '../../test/factories.js';
import { DIALECTS, ledgerSize } from '../../test/stores.js';
import type { Store } from '../db/store.js';

for (const dialect of DIALECTS) {
  describe(`proofline feedback [${dialect}]`, () => {
    let url: string;
    let store: Store;
    let lead: { id: string; email: string };
    let auditor: { id: string; email: string };
    let systemId: string;

    before(async () => {
      ({ url, store } = await cliDatabase(dialect));
      lead = await cliUser(store, ['governance_lead']);
      auditor = await cliUser(store, ['auditor']);
      systemId = (await buildSystem(store, { accountableOwnerId: lead.id })).id;
    });
    after(() => store.close());

    const refused = async (code: string, args: string[]) => {
      const size = await ledgerSize(store);
      const res = await runCli(url, args);
      assert.notEqual(res.code, 0, `${code}: refused`);
      assert.match(res.stderr, new RegExp(`^proofline: ${code}: [^\\n]*\\n$`));
      assert.equal(await ledgerSize(store), size, `${code}: nothing written`);
    };
    const ok = async (args: string[]) => {
      const res = await runCli(url, args);
      assert.equal(res.code, 0, res.stderr);
      return res.stdout;
    };

    test('give, list and convert once: the exception is raised from the feedback; a second conversion and a non-handler are refused', async () => {
      const give = (...extra: string[]) => [
        ...['feedback', 'give', '--system', systemId, '--category', 'bias_concern', '--summary', 'Rejected twice', ...extra],
      ];
      const unknown = ['feedback', 'give', '--category', 'error', '--summary', 'x', '--text', 'y'];
      await refused('validation_failed', [...unknown, '--system', 'not-an-id']);
      await refused('not_found', [...unknown, '--system', randomUUID()]);
      await refused('validation_failed', give('--text', 'x'.repeat(4001)));
      await refused('validation_failed', give('--text', 'About decision D-1', '--decision', 'D-unknown'));

      const size = await ledgerSize(store);
      const given = JSON.parse(await ok(give('--text', 'My application was rejected twice', '--as', auditor.email, '--json')));
      assert.equal(given.systemId, systemId);
      assert.equal(given.submittedBy, auditor.id);
      assert.equal(await ledgerSize(store), size + 1, 'feedback.received');

      const open = JSON.parse(await ok(['feedback', 'list', '--system', systemId, '--converted', 'no', '--json']));
      assert.deepEqual(
        open.items.map((f: { id: string }) => f.id),
        [given.id],
      );
      assert.equal(JSON.parse(await ok(['feedback', 'list', '--category', 'harm', '--json'])).total, 0);

      await refused('forbidden', ['feedback', 'convert', given.id, '--as', auditor.email]);
      const converted = JSON.parse(await ok(['feedback', 'convert', given.id, '--as', lead.email, '--severity', 'high', '--json']));
      const exception = await store.db
        .selectFrom('exceptions')
        .select(['raised_by_type', 'raised_by_ref', 'severity'])
        .where('id', '=', converted.exceptionId)
        .executeTakeFirstOrThrow();
      assert.deepEqual(exception, { raised_by_type: 'feedback', raised_by_ref: given.id, severity: 'high' });
      assert.equal(converted.feedback.exceptionId, converted.exceptionId);
      await refused('feedback_already_converted', ['feedback', 'convert', given.id, '--as', lead.email]);
      assert.equal(JSON.parse(await ok(['feedback', 'list', '--converted', 'yes', '--json'])).total, 1);
    });
  });
}
