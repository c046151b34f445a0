// The chain that takes a system out of the EU AI Act's prohibited tier (Art. 5): a governance lead,
// then a second person in the approver role as legal review. Added only where no such policy exists.
// Frozen once merged.
import type { Kysely } from 'kysely';

const ID = 'risk_tier_change:prohibited';
const STEPS = [
  { name: 'Governance lead', stage: 1, roles: ['governance_lead'], required: 1 },
  { name: 'Legal review', stage: 2, roles: ['approver'], required: 1 },
];

export async function up(db: Kysely<unknown>): Promise<void> {
  const existing = await db
    .selectFrom('approval_policies' as never)
    .select('id' as never)
    .where('id' as never, '=', ID as never)
    .executeTakeFirst();
  if (existing) return;
  const now = new Date().toISOString();
  await db
    .insertInto('approval_policies' as never)
    .values({ id: ID, kind: 'risk_tier_change', risk_tier: 'prohibited', current_version: 1, created_at: now, updated_at: now } as never)
    .execute();
  await db
    .insertInto('approval_policy_versions' as never)
    .values({
      policy_id: ID,
      version: 1,
      steps: JSON.stringify(STEPS),
      created_at: now,
      created_by: null,
      approval_request_id: null,
    } as never)
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('not reversible');
}
