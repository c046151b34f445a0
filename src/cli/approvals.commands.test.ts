import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { buildSystem } from '../../test/factories.js';
import { DIALECTS, freshDatabaseUrl } from '../../test/stores.js';
import { createUser } from '../accounts/auth.service.js';
import { loadConfig } from '../config.js';
import { type RequestContext, systemContext } from '../context.js';
import { migrateToLatest } from '../db/migrate.js';
import { createStore, type Store } from '../db/store.js';
import { createRequest } from '../modules/approvals/requests.service.js';

const run = promisify(execFile);

for (const dialect of DIALECTS) {
  describe(`proofline approvals CLI [${dialect}]`, () => {
    let url: string;
    let store: Store;
    const cli = (...args: string[]) =>
      run(process.execPath, ['--import', 'tsx', 'src/cli/dev.ts', ...args], {
        env: { ...process.env, PROOFLINE_DATABASE_URL: url, PROOFLINE_LOG_LEVEL: 'silent' },
      });
    const failure = (e: { code: number; stderr: string }) => e;

    before(async () => {
      url = await freshDatabaseUrl(dialect);
      store = createStore(loadConfig({ PROOFLINE_DATABASE_URL: url }).database);
      await migrateToLatest(store.writer);
    });
    after(() => store.close());

    test('a governance lead sees the request in their queue and decides it; the requester cannot', async () => {
      const ctx = systemContext('test');
      const system = await buildSystem(store);
      const { requesterId, requestId } = await store.transact(async (trx) => {
        const requester = await createUser(trx, {
          ctx,
          user: { email: 'owner@example.test', displayName: 'Owner', roles: ['governance_lead'] },
        });
        await createUser(trx, { ctx, user: { email: 'lead@example.test', displayName: 'Lead', roles: ['governance_lead'] } });
        const asRequester: RequestContext = {
          ...ctx,
          actor: {
            kind: 'user',
            userId: requester.id,
            email: requester.email,
            displayName: 'Owner',
            roles: ['governance_lead'],
            systemRoles: {},
          },
        };
        const request = await createRequest(trx, {
          ctx: asRequester,
          input: {
            kind: 'risk_tier_change',
            subjectId: system.id,
            title: 'Reassess',
            justification: 'New use in HR',
            change: { euRiskTier: 'high' },
          },
        });
        return { requesterId: requester.id, requestId: request.id };
      });
      assert.ok(requesterId);
      const queue = JSON.parse((await cli('approvals', 'queue', '--as', 'lead@example.test', '--json')).stdout);
      assert.ok(JSON.stringify(queue).includes(requestId), 'the request waits for the lead');

      const self = await cli(
        'approvals',
        'decide',
        requestId,
        '--as',
        'owner@example.test',
        '--approve',
        '--rationale',
        'I like my own idea',
      ).catch(failure);
      assert.equal((self as { code: number }).code, 1);
      assert.match((self as { stderr: string }).stderr, /^proofline: self_approval_forbidden: /);

      const ok = await cli(
        'approvals',
        'decide',
        requestId,
        '--as',
        'lead@example.test',
        '--approve',
        '--rationale',
        'The HR use makes it high risk',
      );
      assert.match(ok.stdout, /approved|completed/i);
      const row = await store.db.selectFrom('ai_systems').select('eu_risk_tier').where('id', '=', system.id).executeTakeFirstOrThrow();
      assert.equal(row.eu_risk_tier, 'high');
    });
  });
}
