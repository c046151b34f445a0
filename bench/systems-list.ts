// Inventory list at scale: 100,000 systems on SQLite, median time of a filtered page (items + total)
// for each filter, and the query plan. Run: node --import tsx bench/systems-list.ts [count]
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { listSystems, type SystemFilter } from '../src/modules/systems/systems.repository.js';
import { AI_TYPES, DEPLOYMENT_KINDS, EU_RISK_TIERS, SYSTEM_STATUSES } from '../src/modules/systems/systems.tables.js';
import { createTestStore } from '../test/stores.js';

const count = Number(process.argv[2] ?? 100_000);
const store = await createTestStore('sqlite');
const now = new Date().toISOString();
const pick = <T>(list: readonly T[], i: number) => list[i % list.length];

// One owner user for a third of the systems.
await store.writer
  .insertInto('users')
  .values({ id: 'owner-1', email: 'o@x.test', display_name: 'O', password_hash: null, status: 'active', created_at: now, updated_at: now })
  .execute();
const started = Date.now();
await store.transact(async (trx) => {
  for (let i = 0; i < count; i += 500) {
    const rows = [];
    const tags = [];
    for (let j = i; j < Math.min(count, i + 500); j++) {
      const id = randomUUID();
      const tag = `team-${j % 40}`;
      rows.push({
        id,
        name: `System ${String((j * 7919) % count).padStart(6, '0')}`,
        purpose: 'p',
        intended_use: 'u',
        description: '',
        ai_type: pick(AI_TYPES, j),
        deployment_kind: pick(DEPLOYMENT_KINDS, j * 3),
        status: pick(SYSTEM_STATUSES, j * 5),
        eu_risk_tier: pick(EU_RISK_TIERS, j * 11),
        org_risk_tier: null,
        vendor: null,
        business_unit: null,
        jurisdictions: '[]',
        tags: JSON.stringify([tag]),
        links: '[]',
        accountable_owner_id: j % 3 === 0 ? 'owner-1' : null,
        triaged_at: j % 2 === 0 ? now : null,
        runtime_default: 'paused' as const,
        created_at: now,
        created_by: null,
        updated_at: now,
        version: 1,
      });
      tags.push({ system_id: id, tag });
    }
    await trx.insertInto('ai_systems').values(rows).execute();
    await trx.insertInto('system_tags').values(tags).execute();
  }
});
await sql`analyze`.execute(store.writer);
console.log(`seeded ${count} systems in ${Date.now() - started} ms`);

const filters: Array<[string, Partial<SystemFilter>]> = [
  ['none', {}],
  ['status=in_production', { status: 'in_production' }],
  ['euRiskTier=high', { euRiskTier: 'high' }],
  ['deploymentKind=third_party', { deploymentKind: 'third_party' }],
  ['aiType=agentic', { aiType: 'agentic' }],
  ['ownerId', { ownerId: 'owner-1' }],
  ['withoutOwner', { withoutOwner: true }],
  ['untriagedShadow', { untriagedShadow: true }],
  ['tag=team-7', { tag: 'team-7' }],
  ['status+tier', { status: 'proposed', euRiskTier: 'high' }],
  ['q=00042', { q: '00042' }],
  ['offset=5000', { offset: 5000 }],
];
for (const [label, filter] of filters) {
  const times: number[] = [];
  let total = 0;
  for (let run = 0; run < 25; run++) {
    const t0 = performance.now();
    const page = await listSystems(store.db, { limit: 50, offset: 0, ...filter });
    times.push(performance.now() - t0);
    total = page.total;
  }
  times.sort((a, b) => a - b);
  console.log(`${label.padEnd(28)} total=${String(total).padStart(6)} median=${times[12].toFixed(2)} ms p90=${times[22].toFixed(2)} ms`);
}
const plan = await sql<{ detail: string }>`explain query plan
  select * from ai_systems where status = 'in_production' order by name, id limit 50`.execute(store.db);
console.log('EXPLAIN page (status):', plan.rows.map((r) => r.detail).join(' | '));
const countPlan = await sql<{ detail: string }>`explain query plan select count(*) from ai_systems where status = 'in_production'`.execute(
  store.db,
);
console.log('EXPLAIN count (status):', countPlan.rows.map((r) => r.detail).join(' | '));
const tagPlan = await sql<{ detail: string }>`explain query plan
  select * from ai_systems where id in (select system_id from system_tags where tag = 'team-7') order by name, id limit 50`.execute(
  store.db,
);
console.log('EXPLAIN page (tag):', tagPlan.rows.map((r) => r.detail).join(' | '));
await store.close();
