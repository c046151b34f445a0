import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { createTestApp, type TestApp, type TestUser } from '../../../test/app.js';
import { buildSystem } from '../../../test/factories.js';
import { DIALECTS } from '../../../test/stores.js';
import { systemContext } from '../../context.js';
import { type SystemMatch, systemsMatching } from './systems.repository.js';
import { triageShadowSystem } from './systems.service.js';

for (const dialect of DIALECTS) {
  describe(`inventory views [${dialect}]`, () => {
    let t: TestApp;
    let reader: TestUser;
    let owner: TestUser;

    before(async () => {
      t = await createTestApp(dialect);
      reader = await t.user(['auditor']);
      owner = await t.user([]);
      await buildSystem(t.store, {
        name: 'alpha',
        euRiskTier: 'high',
        tags: ['hr', 'cv'],
        accountableOwnerId: owner.id,
        status: 'in_development',
      });
      await buildSystem(t.store, { name: 'bravo', euRiskTier: 'high', tags: ['hr'] });
      await buildSystem(t.store, { name: 'charlie', euRiskTier: 'minimal', deploymentKind: 'shadow', aiType: 'generative' });
      const delta = await buildSystem(t.store, { name: 'delta', deploymentKind: 'shadow', aiType: 'generative', tags: ['cv'] });
      await t.store.transact((trx) =>
        triageShadowSystem(trx, { ctx: systemContext('test'), systemId: delta.id, rationale: 'Known chatbot pilot, owner found' }),
      );
      await buildSystem(t.store, { name: 'echo 100%_off', euRiskTier: 'limited', accountableOwnerId: owner.id });
    });
    after(() => t.close());

    const names = async (query: string) => {
      const res = await t.call(reader, 'GET', `/api/v1/systems${query}`);
      assert.equal(res.statusCode, 200, res.body);
      const page = res.json();
      return { total: page.total as number, names: page.items.map((s: { name: string }) => s.name) as string[] };
    };

    test('sorts by name or by last change, either way, with the filters and paging', async () => {
      assert.deepEqual(await names('?sort=-name'), { total: 5, names: ['echo 100%_off', 'delta', 'charlie', 'bravo', 'alpha'] });
      assert.deepEqual(await names('?sort=-name&euRiskTier=high&limit=1&offset=1'), { total: 2, names: ['alpha'] });
      const updated = async (sort: string) => {
        const res = await t.call(reader, 'GET', `/api/v1/systems?sort=${sort}`);
        return (res.json().items as Array<{ updatedAt: string; id: string }>).map((s) => `${s.updatedAt} ${s.id}`);
      };
      const ascending = await updated('updatedAt');
      assert.equal(ascending.length, 5);
      assert.deepEqual(ascending, [...ascending].sort());
      assert.deepEqual(await updated('-updatedAt'), [...ascending].reverse());
      assert.equal((await t.call(reader, 'GET', '/api/v1/systems?sort=colour')).statusCode, 400);
    });

    test('filters combine, sort by name, paginate with a total', async () => {
      assert.deepEqual(await names(''), { total: 5, names: ['alpha', 'bravo', 'charlie', 'delta', 'echo 100%_off'] });
      assert.deepEqual(await names('?limit=2&offset=1'), { total: 5, names: ['bravo', 'charlie'] });
      assert.deepEqual(await names('?euRiskTier=high'), { total: 2, names: ['alpha', 'bravo'] });
      assert.deepEqual(await names('?status=in_development'), { total: 1, names: ['alpha'] });
      assert.deepEqual(await names('?deploymentKind=shadow&aiType=generative'), { total: 2, names: ['charlie', 'delta'] });
      assert.deepEqual(await names(`?ownerId=${owner.id}`), { total: 2, names: ['alpha', 'echo 100%_off'] });
      assert.deepEqual(await names('?withoutOwner=true'), { total: 3, names: ['bravo', 'charlie', 'delta'] });
      assert.deepEqual(await names('?untriagedShadow=true'), { total: 1, names: ['charlie'] });
      assert.deepEqual(await names('?tag=cv'), { total: 2, names: ['alpha', 'delta'] });
      assert.deepEqual(await names('?tag=hr&euRiskTier=high&withoutOwner=true'), { total: 1, names: ['bravo'] });
      assert.deepEqual(await names('?q=ALP'), { total: 1, names: ['alpha'] });
      // LIKE wildcards in q are literal text.
      assert.deepEqual(await names('?q=0%25_'), { total: 1, names: ['echo 100%_off'] });
      assert.deepEqual(await names('?q=_'), { total: 1, names: ['echo 100%_off'] });
      const bad = await t.call(reader, 'GET', '/api/v1/systems?colour=red');
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().error.details.field, 'querystring.colour');
    });

    test('the summary counts by risk tier and status, without owner and untriaged shadow', async () => {
      const res = await t.call(reader, 'GET', '/api/v1/systems/summary');
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json(), {
        total: 5,
        byEuRiskTier: { high: 2, minimal: 1, unassessed: 1, limited: 1 },
        byStatus: { in_development: 1, proposed: 4 },
        withoutOwner: 3,
        untriagedShadow: 1,
      });
    });

    test('a detail read carries the version as ETag and the phase owners', async () => {
      const system = await buildSystem(t.store, { name: 'foxtrot' });
      const res = await t.call(reader, 'GET', `/api/v1/systems/${system.id}`);
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers.etag, '"1"');
      assert.deepEqual(res.json().phaseOwners, []);
      const missing = await t.call(reader, 'GET', `/api/v1/systems/${randomUUID()}`);
      assert.equal(missing.statusCode, 404);
    });

    if (dialect === 'sqlite') {
      test('every list filter is served by an index that also gives the order (no scan, no sort)', async () => {
        const filters = [
          sql`1 = 1`,
          sql`status = 'proposed'`,
          sql`eu_risk_tier = 'high'`,
          sql`deployment_kind = 'internal'`,
          sql`ai_type = 'generative'`,
          sql`accountable_owner_id = 'x'`,
          sql`accountable_owner_id is null`,
          sql`deployment_kind = 'shadow' and triaged_at is null`,
        ];
        for (const where of filters) {
          const plan = await sql<{
            detail: string;
          }>`explain query plan select id from ai_systems where ${where} order by name, id limit 50`.execute(t.store.db);
          const details = plan.rows.map((r) => r.detail).join(' | ');
          assert.match(details, /USING (COVERING )?INDEX ai_systems_\w+_idx/, details);
          assert.doesNotMatch(details, /TEMP B-TREE/, details);
        }
      });
    }

    test('responses name people: accountable owner, creator and phase owners carry display names, one lookup per page', async () => {
      const lead = await t.user(['governance_lead']);
      const nameOfUser = async (id: string) =>
        (await t.store.db.selectFrom('users').select('display_name').where('id', '=', id).executeTakeFirstOrThrow()).display_name;
      const [ownerName, leadName] = [await nameOfUser(owner.id), await nameOfUser(lead.id)];
      assert.notEqual(ownerName, leadName);
      const created = await t.call(lead, 'POST', '/api/v1/systems', {
        name: 'named one',
        purpose: 'p',
        intendedUse: 'u',
        aiType: 'generative',
        deploymentKind: 'internal',
        accountableOwnerId: owner.id,
      });
      assert.ok(created.statusCode < 300, created.body);
      assert.equal(created.json().accountableOwnerName, ownerName);
      assert.equal(created.json().createdByName, leadName);
      const id = created.json().id as string;
      const phase = await t.call(lead, 'PUT', `/api/v1/systems/${id}/phase-owners/design`, {
        userId: lead.id,
        rationale: 'lead designs the first version',
      });
      assert.equal(phase.statusCode, 200, phase.body);
      assert.deepEqual([phase.json().userId, phase.json().userName], [lead.id, leadName]);
      const detail = (await t.call(reader, 'GET', `/api/v1/systems/${id}`)).json();
      assert.equal(detail.accountableOwnerName, ownerName);
      assert.equal(detail.createdByName, leadName);
      assert.deepEqual(
        detail.phaseOwners.map((o: { userId: string; userName: string }) => [o.userId, o.userName]),
        [[lead.id, leadName]],
      );
      const page = (await t.call(reader, 'GET', '/api/v1/systems?limit=500')).json();
      for (const item of page.items as Array<{ accountableOwnerId: string | null; accountableOwnerName: string | null }>) {
        assert.equal(item.accountableOwnerName, item.accountableOwnerId ? await nameOfUser(item.accountableOwnerId) : null);
      }
      assert.ok(page.items.some((item: { accountableOwnerName: string | null }) => item.accountableOwnerName === ownerName));
      const updated = await t.call(lead, 'PATCH', `/api/v1/systems/${id}`, { description: 'named', version: detail.version });
      assert.equal(updated.statusCode, 200, updated.body);
      assert.equal(updated.json().accountableOwnerName, ownerName);
    });

    test("a page's total is the number of systems its filters match, also where a trigger-kept counter gives it: after creates and status, tier, owner and triage changes", async () => {
      const lead = await t.user(['governance_lead']);
      // Status, tier, both and none are sums of system_counts; without owner and untriaged shadow
      // alone are dashboard_counters; the combinations after them are counted from the rows.
      const filters: SystemMatch[] = [
        {},
        { status: 'proposed' },
        { status: 'in_development' },
        { status: 'retired' },
        { euRiskTier: 'high' },
        { euRiskTier: 'minimal' },
        { euRiskTier: 'prohibited' },
        { status: 'proposed', euRiskTier: 'high' },
        { status: 'in_development', euRiskTier: 'minimal' },
        { withoutOwner: true },
        { untriagedShadow: true },
        { withoutOwner: true, status: 'proposed' },
        { untriagedShadow: true, euRiskTier: 'unassessed' },
        { deploymentKind: 'shadow' },
        { status: 'proposed', q: 'counted' },
      ];
      const totals = async () => {
        const listed: number[] = [];
        const counted: number[] = [];
        for (const filter of filters) {
          const query = new URLSearchParams(
            Object.entries({ ...filter, limit: 1 }).map(([key, value]): [string, string] => [key, String(value)]),
          );
          const res = await t.call(reader, 'GET', `/api/v1/systems?${query}`);
          assert.equal(res.statusCode, 200, res.body);
          listed.push(res.json().total);
          const row = await systemsMatching(t.store.db, filter, new Date().toISOString())
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow();
          counted.push(Number(row.n));
        }
        return { listed, counted };
      };
      const before = await totals();
      assert.deepEqual(before.listed, before.counted);
      const why = 'Counted after the inventory review';
      const owned = await buildSystem(t.store, { name: 'counted one', euRiskTier: 'high', accountableOwnerId: owner.id });
      const shadow = await buildSystem(t.store, { name: 'counted shadow', deploymentKind: 'shadow' });
      // Twelve at once, of two tiers, three of them shadow: on PostgreSQL they commit together, in
      // multi-row inserts whose count triggers run once per statement (migrations 20261203_0030,
      // 20261203_1000).
      await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          buildSystem(t.store, {
            name: `counted together ${i}`,
            euRiskTier: i % 3 === 0 ? 'high' : 'minimal',
            ...(i % 4 === 1 ? { deploymentKind: 'shadow' as const } : {}),
          }),
        ),
      );
      if (dialect === 'postgres') {
        const { rows } = await sql<{
          n: number;
        }>`select count(distinct xmin::text)::int as n from ai_systems where name like 'counted together %'`.execute(t.store.db);
        assert.ok(rows[0].n < 12, `the twelve went in ${rows[0].n} transactions, not one each`);
      }
      const created = await totals();
      assert.deepEqual(created.listed, created.counted);
      assert.equal(created.listed[1], before.listed[1] + 14, 'the fourteen new systems are proposed');
      assert.equal(created.listed[4], before.listed[4] + 5, 'five of them high risk');
      assert.equal(created.listed[5], before.listed[5] + 8, 'eight minimal');
      assert.equal(created.listed[9], before.listed[9] + 13, 'thirteen without an accountable owner');
      assert.equal(created.listed[10], before.listed[10] + 4, 'four shadow systems awaiting triage');
      // The first assessment while proposed needs no approval; the status move then does not either.
      const tier = await t.call(lead, 'POST', `/api/v1/systems/${owned.id}/risk-tier`, {
        euRiskTier: 'minimal',
        rationale: why,
        version: 1,
      });
      assert.equal(tier.statusCode, 200, tier.body);
      const moved = await t.call(lead, 'POST', `/api/v1/systems/${owned.id}/status`, {
        status: 'in_development',
        rationale: why,
        version: tier.json().version,
      });
      assert.equal(moved.statusCode, 200, moved.body);
      const triaged = await t.call(lead, 'POST', `/api/v1/systems/${shadow.id}/triage`, { rationale: why, version: 1 });
      assert.equal(triaged.statusCode, 200, triaged.body);
      const named = await t.call(lead, 'POST', `/api/v1/systems/${shadow.id}/owner`, {
        ownerId: owner.id,
        rationale: why,
        version: triaged.json().version,
      });
      assert.equal(named.statusCode, 200, named.body);
      const changed = await totals();
      assert.deepEqual(changed.listed, changed.counted);
      assert.equal(changed.listed[8], created.listed[8] + 1, 'moved into in_development and minimal');
      assert.equal(changed.listed[9], before.listed[9] + 12, 'the shadow system has an owner now (the twelve have none)');
      assert.equal(changed.listed[10], before.listed[10] + 3, 'and is triaged (three of the twelve still wait)');
    });
  });
}
