// `proofline reviews cadences|cadence set|calendar-token` on both databases: the same use cases as
// the API (only admins and governance leads set a cadence, with a reason; a calendar feed belongs to
// a person), each a ledger event; each refusal is one line with its code and writes nothing.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { cliDatabase, cliUser, runCli } from '../../test/cli.js';
import { buildSystem } from '../../test/factories.js';
import { DIALECTS, ledgerSize } from '../../test/stores.js';
import type { Store } from '../db/store.js';

for (const dialect of DIALECTS) {
  describe(`proofline reviews cadences and calendar-token [${dialect}]`, () => {
    let url: string;
    let store: Store;
    let lead: { id: string; email: string };
    let owner: { id: string; email: string };
    let systemId: string;

    before(async () => {
      ({ url, store } = await cliDatabase(dialect));
      lead = await cliUser(store, ['governance_lead']);
      owner = await cliUser(store, ['contributor']);
      systemId = (await buildSystem(store, { accountableOwnerId: owner.id, euRiskTier: 'high' })).id;
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

    test("cadences shows each kind; cadence set needs a lead and a reason, and returns to the default with 'default'", async () => {
      const shown = JSON.parse(await ok(['reviews', 'cadences', '--system', systemId, '--json']));
      assert.deepEqual(
        shown.cadences.map((c: { kind: string; source: string }) => [c.kind, c.source]),
        [
          ['fairness', 'default'],
          ['performance', 'default'],
          ['risk', 'default'],
        ],
      );
      const set = (...extra: string[]) => ['reviews', 'cadence', 'set', '--system', systemId, '--kind', 'risk', ...extra];
      await refused('forbidden', set('--months', '3', '--reason', 'Quarterly while the model is new', '--as', owner.email));
      await refused('validation_failed', set('--months', '61', '--reason', 'Every five years and a month', '--as', lead.email));
      await refused('validation_failed', set('--months', '3', '--reason', 'x', '--as', lead.email));
      const after = JSON.parse(
        await ok([...set('--months', '3', '--reason', 'Quarterly while the model is new', '--as', lead.email), '--json']),
      );
      assert.deepEqual(
        after.cadences.find((c: { kind: string }) => c.kind === 'risk'),
        { kind: 'risk', months: 3, source: 'system', rationale: 'Quarterly while the model is new' },
      );
      const row = await store.db.selectFrom('ledger_events').select('type').orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow();
      assert.equal(row.type, 'review.cadence_set');
      const back = JSON.parse(
        await ok([...set('--months', 'default', '--reason', 'Back to the organisation default', '--as', lead.email), '--json']),
      );
      assert.equal(back.cadences.find((c: { kind: string }) => c.kind === 'risk').source, 'default');
    });

    test('calendar-token prints a token once for a person; the system actor has no calendar', async () => {
      await refused('forbidden', ['reviews', 'calendar-token']);
      const issued = JSON.parse(await ok(['reviews', 'calendar-token', '--as', owner.email, '--json']));
      assert.match(issued.token, /^plcal_/);
      assert.match(issued.url, /\/api\/v1\/reviews\/calendar\.ics\?token=plcal_/);
      const stored = await store.db
        .selectFrom('review_feed_tokens')
        .select('token_hash')
        .where('user_id', '=', owner.id)
        .executeTakeFirstOrThrow();
      assert.equal(stored.token_hash, createHash('sha256').update(issued.token).digest('hex'), 'only its digest is kept');
    });
  });
}
