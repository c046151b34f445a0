// Outcome ingestion (issue 11): the index on (system, attribute, decision, value) took one insert
// at a random place per group attribute (decision ids are random), about a third of a batch's write
// time. Reports join on the primary key (system, decision, attribute); the one other reader lists a
// system's attributes, which an index on (system, attribute) serves as well, and its entries are
// appended in rowid order within each attribute instead of scattered.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('decision_group_attributes_attr_idx').execute();
  await db.schema
    .createIndex('decision_group_attributes_attribute_idx')
    .on('decision_group_attributes')
    .columns(['system_id', 'attribute'])
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('not reversible');
}
