// The set-up the migration tests of the outcome tables share: a store migrated up to the migration
// before the one under test, one system, outcome rows written in the shape of that time, then the
// remaining migrations. Each test then says only which migration, and which old rows.
import type { Kysely } from 'kysely';
import { migrateToLatest, migrateUpTo } from '../src/db/migrate.js';
import type { Dialect, Store } from '../src/db/store.js';
import { buildSystem } from './factories.js';
import { createTestStore } from './stores.js';

/** A row of a table as an old migration left it: typed no more. */
export type OldRow = Record<string, unknown>;

export interface OldOutcomes {
  /** The last migration applied before the one under test. */
  before: string;
  /** Writes through today's use cases before the old rows (e.g. the decisions they belong to). */
  prepare?: (store: Store, systemId: string) => Promise<void>;
  /** The outcome rows, with the columns of the time; their batch `b1` is written first. */
  outcomes: (systemId: string) => OldRow[];
  /** Rows of other tables of the time, written after the outcomes (table name → rows). */
  alsoRows?: (systemId: string) => Record<string, OldRow[]>;
}

/**
 * A store taken through the migration under test with outcome rows in the shape before it.
 * The system and `prepare`'s writes are sequenced transactions: they append straight into the
 * tree, which works before the ledger's queue (migration 20261201_0500) exists as well as after.
 * @example const { store, systemId } = await migratedFromOldOutcomes('sqlite', { before: '20261201_0910_auth_epoch_check', outcomes: (s) => [...] });
 */
export async function migratedFromOldOutcomes(dialect: Dialect, old: OldOutcomes): Promise<{ store: Store; systemId: string }> {
  const store = await createTestStore(dialect, { migrate: false });
  await migrateUpTo(store.writer, old.before);
  const sequenced: Store = { ...store, transact: (fn) => store.transact(fn, { sequenced: true }) };
  const systemId = (await buildSystem(sequenced)).id;
  await old.prepare?.(sequenced, systemId);
  // biome-ignore lint/suspicious/noExplicitAny: the tables as they were, not as today's types say
  const writer = store.writer as unknown as Kysely<any>;
  const outcomes = old.outcomes(systemId);
  await writer
    .insertInto('outcome_batches')
    .values({ id: 'b1', record_count: outcomes.length, digest: 'd', received_at: '2026-11-29T10:00:00.000Z' })
    .execute();
  await writer.insertInto('decision_outcomes').values(outcomes).execute();
  for (const [table, rows] of Object.entries(old.alsoRows?.(systemId) ?? {})) {
    await writer.insertInto(table).values(rows).execute();
  }
  await migrateToLatest(store.writer);
  return { store, systemId };
}
