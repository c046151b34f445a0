// A data source's population report remembers the version of the data source record it was made
// against, so a later change of that record (another extract, other provenance) shows the report as
// stale, naming the change, until the population is reported again. Existing reports made after
// their data source's last change take its current version; the others stay null: made against an
// earlier version, hence stale. Frozen once merged.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('data_source_populations').addColumn('data_source_version', 'integer').execute();
  await sql`
    update data_source_populations set data_source_version = (
      select d.version from data_sources d
      where d.id = data_source_populations.data_source_id and d.updated_at <= data_source_populations.updated_at
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('data_source_populations').dropColumn('data_source_version').execute();
}
