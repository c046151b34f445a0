// The digest of the content an approval request's change was applied with, so a retrospective
// approval of an emergency change signs exactly what was applied. Requests applied before this
// migration and never revised after the application get their current digest; one revised after it
// stays null, so its retrospective approval is refused (it can only be rejected). Frozen once merged.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('approval_requests').addColumn('applied_digest', 'text').execute();
  await sql`update approval_requests set applied_digest = content_digest where applied_at is not null and revised_at <= applied_at`.execute(
    db,
  );
}

export async function down(): Promise<void> {
  throw new Error('not reversible');
}
