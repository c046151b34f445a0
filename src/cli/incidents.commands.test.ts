import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { cliDatabase, cliUser, runCli } from '../../test/cli.js';
import { buildSystem } from '../../test/factories.js';
import { DIALECTS, ledgerSize } from '../../test/stores.js';
import { systemContext } from '../context.js';
import type { Store } from '../db/store.js';
import { openIncident } from '../modules/exceptions/incidents.service.js';

const DAY = 86_400_000;

for (const dialect of DIALECTS) {
  describe(`proofline incidents list|show|report [${dialect}]`, () => {
    let url: string;
    let store: Store;
    let owner: { id: string; email: string };
    let incidentId: string;
    let systemId: string;

    before(async () => {
      ({ url, store } = await cliDatabase(dialect));
      owner = await cliUser(store, ['contributor']);
      systemId = (await buildSystem(store, { accountableOwnerId: owner.id })).id;
      const awareAt = new Date(Date.now() - 4 * DAY).toISOString();
      const view = await store.transact((trx) =>
        openIncident(trx, {
          ctx: systemContext('test'),
          input: {
            systemId,
            title: 'Chatbot disclosed another customer’s data',
            description: 'A prompt returned an account history belonging to someone else.',
            severity: 'high',
            raisedBy: { type: 'alert', ref: 'monitor:dlp-17' },
            ownerId: owner.id,
            resolverId: owner.id,
            incident: { personalDataBreach: true, awareAt },
          },
        }),
      );
      incidentId = view.id;
    });
    after(() => store.close());

    test('list filters as the API does; show prints the deadlines; report files against one, flagged late', async () => {
      const listed = await runCli(url, ['incidents', 'list', '--open', '--system', systemId, '--json']);
      assert.equal(listed.code, 0, listed.stderr);
      assert.deepEqual(
        JSON.parse(listed.stdout).items.map((i: { id: string }) => i.id),
        [incidentId],
      );
      assert.equal(JSON.parse((await runCli(url, ['incidents', 'list', '--system', 'elsewhere', '--json'])).stdout).total, 0);

      const shown = await runCli(url, ['incidents', 'show', incidentId, '--json']);
      assert.equal(shown.code, 0, shown.stderr);
      const gdpr = JSON.parse(shown.stdout).deadlines.find((d: { key: string }) => d.key === 'gdpr_art33');
      assert.equal(gdpr.status, 'overdue');
      assert.match((await runCli(url, ['incidents', 'show', incidentId])).stdout, /deadline gdpr_art33: due .*, overdue/);

      const reported = await runCli(url, [
        ...['incidents', 'report', incidentId, '--deadline', 'gdpr_art33', '--reference', 'DPA-2026-0042', '--as', owner.email],
      ]);
      assert.equal(reported.code, 0, reported.stderr);
      assert.match(reported.stdout, /gdpr_art33 filed .*, LATE/);
      const event = await store.db
        .selectFrom('ledger_events')
        .select('leaf')
        .where('subject_id', '=', incidentId)
        .where('type', '=', 'incident.report_filed_late')
        .executeTakeFirstOrThrow();
      assert.equal(JSON.parse(event.leaf).after.reference, 'DPA-2026-0042');
      const after = JSON.parse((await runCli(url, ['incidents', 'show', incidentId, '--json'])).stdout);
      assert.equal(after.deadlines.find((d: { key: string }) => d.key === 'gdpr_art33').status, 'filed_late');
    });

    test('report is refused with its stable code and writes nothing: a deadline that does not apply, a bystander', async () => {
      const bystander = await cliUser(store, ['contributor']);
      const before = await ledgerSize(store);
      const report = (as: string, deadline: string) =>
        runCli(url, ['incidents', 'report', incidentId, '--deadline', deadline, '--reference', 'REF-1', '--as', as]);
      const notApplicable = await report(owner.email, 'dora_initial');
      assert.equal(notApplicable.code, 1);
      assert.equal(notApplicable.stderr, 'proofline: validation_failed: deadlineKey: dora_initial does not apply to this incident\n');
      const forbidden = await report(bystander.email, 'gdpr_art33');
      assert.equal(forbidden.code, 1);
      assert.match(forbidden.stderr, /^proofline: forbidden: only the owner, the resolver/);
      const badTime = await runCli(url, [
        ...[
          'incidents',
          'report',
          incidentId,
          '--deadline',
          'gdpr_art33',
          '--reference',
          'R',
          '--filed-at',
          'yesterday',
          '--as',
          owner.email,
        ],
      ]);
      assert.equal(badTime.stderr, 'proofline: validation_failed: --filed-at must match format "date-time"\n');
      assert.equal(await ledgerSize(store), before);
    });
  });
}
