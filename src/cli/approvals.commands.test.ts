// `proofline approvals` through the real CLI: the queue, and decisions that are the approver's own
// signature: --as alone is refused (personal_signature_required), their own API token or password
// on standard input is accepted, and the event says it came from the command line.
import assert from 'node:assert/strict';
import os from 'node:os';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../../test/cli.js';
import { buildSystem } from '../../test/factories.js';
import { DIALECTS, freshDatabaseUrl, ledgerSize } from '../../test/stores.js';
import { createApiToken } from '../accounts/auth.service.js';
import { createUser } from '../accounts/users.service.js';
import { loadConfig } from '../config.js';
import { type RequestContext, systemContext } from '../context.js';
import { migrateToLatest } from '../db/migrate.js';
import { createStore, type Store } from '../db/store.js';
import { createRequest } from '../modules/approvals/requests.service.js';

const PASSWORD = 'lead password 1';

for (const dialect of DIALECTS) {
  describe(`proofline approvals CLI [${dialect}]`, () => {
    let url: string;
    let store: Store;
    let requesterCtx: RequestContext;
    let leadToken: string;
    let otherToken: string;
    const cli = (args: string[], stdin?: string) => runCli(url, args, stdin);
    const decide = (requestId: string, email: string, ...more: string[]) => [
      'approvals',
      'decide',
      requestId,
      '--as',
      email,
      '--rationale',
      'The HR use makes it high risk',
      ...more,
    ];

    /** A pending risk-tier change on a fresh system, requested by the owner. */
    async function pendingRequest(): Promise<{ requestId: string; systemId: string }> {
      const system = await buildSystem(store);
      const request = await store.transact((trx) =>
        createRequest(trx, {
          ctx: requesterCtx,
          input: {
            kind: 'risk_tier_change',
            subjectId: system.id,
            title: 'Reassess',
            justification: 'New use in HR',
            change: { euRiskTier: 'high' },
          },
        }),
      );
      return { requestId: request.id, systemId: system.id };
    }

    async function statusOf(requestId: string) {
      const row = await store.db.selectFrom('approval_requests').select('status').where('id', '=', requestId).executeTakeFirstOrThrow();
      return row.status;
    }

    async function lastEvent(type: string) {
      const row = await store.db
        .selectFrom('ledger_events')
        .select('leaf')
        .where('type', '=', type)
        .orderBy('seq', 'desc')
        .executeTakeFirstOrThrow();
      return JSON.parse(row.leaf) as { actor: { email: string; kind: string; tokenId?: string }; via?: Record<string, string> };
    }

    before(async () => {
      url = await freshDatabaseUrl(dialect);
      store = createStore(loadConfig({ PROOFLINE_DATABASE_URL: url }).database);
      await migrateToLatest(store.writer);
      const ctx = systemContext('test');
      await store.transact(async (trx) => {
        const requester = await createUser(trx, {
          ctx,
          user: { email: 'owner@example.test', displayName: 'Owner', roles: ['governance_lead'], password: 'owner password 1' },
        });
        const lead = await createUser(trx, {
          ctx,
          user: { email: 'lead@example.test', displayName: 'Lead', roles: ['governance_lead'], password: PASSWORD },
        });
        const other = await createUser(trx, {
          ctx,
          user: { email: 'other@example.test', displayName: 'Other', roles: ['governance_lead'] },
        });
        requesterCtx = {
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
        const token = (userId: string) =>
          createApiToken(trx, { ctx, token: { userId, name: 'cli', scopes: ['read', 'write'], expiresInDays: 1 } });
        leadToken = (await token(lead.id)).token;
        otherToken = (await token(other.id)).token;
      });
    });
    after(() => store.close());

    test('a governance lead sees the request in their queue; the requester cannot decide it, even with their own password', async () => {
      const { requestId } = await pendingRequest();
      const queue = JSON.parse((await cli(['approvals', 'queue', '--as', 'lead@example.test', '--json'])).stdout);
      assert.ok(JSON.stringify(queue).includes(requestId), 'the request waits for the lead');
      const before = await ledgerSize(store);
      const self = await cli(decide(requestId, 'owner@example.test', '--approve', '--password-stdin'), 'owner password 1\n');
      assert.equal(self.code, 1);
      assert.match(self.stderr, /^proofline: self_approval_forbidden: /);
      assert.equal(await ledgerSize(store), before);
      assert.equal(await statusOf(requestId), 'pending');
    });

    test("--as alone cannot approve or reject in someone else's name: nothing is written", async () => {
      const { requestId } = await pendingRequest();
      const before = await ledgerSize(store);
      for (const decision of ['--approve', '--reject']) {
        const refused = await cli(decide(requestId, 'lead@example.test', decision));
        assert.equal(refused.code, 1);
        assert.match(refused.stderr, /^proofline: personal_signature_required: [^\n]*--token-stdin or --password-stdin\n$/);
      }
      assert.equal(await ledgerSize(store), before, 'nothing recorded');
      assert.equal(await statusOf(requestId), 'pending');
    });

    test("the approver's own API token on stdin approves; the event records the token and the command line", async () => {
      const { requestId, systemId } = await pendingRequest();
      const ok = await cli(decide(requestId, 'lead@example.test', '--approve', '--token-stdin'), `${leadToken}\n`);
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stdout, /approve recorded/);
      const row = await store.db.selectFrom('ai_systems').select('eu_risk_tier').where('id', '=', systemId).executeTakeFirstOrThrow();
      assert.equal(row.eu_risk_tier, 'high');
      const event = await lastEvent('approval.granted');
      assert.equal(event.actor.email, 'lead@example.test');
      assert.equal(event.actor.kind, 'token');
      assert.ok(event.actor.tokenId && leadToken.includes(event.actor.tokenId));
      assert.deepEqual(event.via, { channel: 'cli', credential: 'api_token', host: os.hostname(), osUser: os.userInfo().username });
    });

    test("someone else's token, or a wrong password, is refused; the password failure is recorded as a failed sign-in", async () => {
      const { requestId } = await pendingRequest();
      const before = await ledgerSize(store);
      const borrowed = await cli(decide(requestId, 'lead@example.test', '--approve', '--token-stdin'), `${otherToken}\n`);
      assert.equal(borrowed.code, 1);
      assert.match(borrowed.stderr, /^proofline: invalid_credentials: /);
      const bogus = await cli(decide(requestId, 'lead@example.test', '--approve', '--token-stdin'), 'plt_nottoken_x\n');
      assert.match(bogus.stderr, /^proofline: unauthenticated: /);
      assert.equal(await ledgerSize(store), before, 'a refused token writes nothing');

      const wrong = await cli(decide(requestId, 'lead@example.test', '--approve', '--password-stdin'), 'not the password\n');
      assert.equal(wrong.code, 1);
      assert.match(wrong.stderr, /^proofline: invalid_credentials: /);
      assert.equal(await statusOf(requestId), 'pending');
      assert.equal(await ledgerSize(store), before + 1, 'only the failed check');
      const failed = await lastEvent('auth.login_failed');
      assert.equal(failed.via?.channel, 'cli');
      const locked = await store.db
        .selectFrom('users')
        .select('failed_logins')
        .where('email', '=', 'lead@example.test')
        .executeTakeFirstOrThrow();
      assert.equal(Number(locked.failed_logins), 1, 'counts towards the lockout like a sign-in');
    });

    test("the approver's own password on stdin rejects; the event records the password and the command line", async () => {
      const { requestId } = await pendingRequest();
      const ok = await cli(decide(requestId, 'lead@example.test', '--reject', '--password-stdin'), `${PASSWORD}\n`);
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal(await statusOf(requestId), 'rejected');
      const event = await lastEvent('approval.rejected');
      assert.equal(event.actor.email, 'lead@example.test');
      assert.deepEqual(event.via, { channel: 'cli', credential: 'password', host: os.hostname(), osUser: os.userInfo().username });
      const user = await store.db
        .selectFrom('users')
        .select('failed_logins')
        .where('email', '=', 'lead@example.test')
        .executeTakeFirstOrThrow();
      assert.equal(Number(user.failed_logins), 0, 'a good password clears the count');
    });
  });
}
