// PostgreSQL only: SQLite has no roles (its guard is the triggers, tested in store.test.ts).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { createPgDatabase } from '../../test/stores.js';
import { systemContext } from '../context.js';
import { appendEvent } from '../ledger/ledger.service.js';
import { grantAppRole } from './app-role.js';
import { migrateToLatest, migrationsPending } from './migrate.js';
import { createPostgresStore, type Store } from './store.js';

describe('PostgreSQL application role without ledger UPDATE/DELETE privileges', () => {
  let owner: Store;
  let app: Store;
  before(async () => {
    const url = await createPgDatabase();
    owner = createPostgresStore(url);
    await migrateToLatest(owner.writer);
    const role = `pl_app_${Date.now()}`;
    await sql`create role ${sql.id(role)} login`.execute(owner.db);
    await grantAppRole(owner.writer, role);
    const appUrl = new URL(url);
    appUrl.username = role;
    app = createPostgresStore(appUrl.toString());
  });
  after(async () => {
    await app.close();
    await owner.close();
  });

  test('the app role can append and read, and sees no pending migrations', async () => {
    const event = await app.transact((trx) =>
      appendEvent(trx, systemContext('t'), { type: 'test.app_role', subject: { type: 't', id: '1' } }),
    );
    // Queued in the transaction, integrated (by the app role) before the write is answered.
    const row = await app.db.selectFrom('ledger_events').select('seq').where('event_id', '=', event.eventId).executeTakeFirstOrThrow();
    assert.equal(Number(row.seq), 0);
    assert.deepEqual(await app.db.selectFrom('ledger_queue').select('event_id').execute(), []);
    assert.deepEqual(await migrationsPending(app.db), []);
    assert.deepEqual(await migrateToLatest(app.writer), [], 'a server started as the app role migrates nothing and does not fail');
  });

  test('even with the triggers dropped, the app role cannot UPDATE, DELETE or TRUNCATE ledger rows', async () => {
    await sql`drop trigger ledger_events_append_only on ledger_events`.execute(owner.db);
    await sql`drop trigger ledger_events_no_truncate on ledger_events`.execute(owner.db);
    await assert.rejects(
      app.transact((trx) => sql`update ledger_events set type = 'forged'`.execute(trx)),
      /permission denied/,
    );
    await assert.rejects(
      app.transact((trx) => sql`delete from ledger_events`.execute(trx)),
      /permission denied/,
    );
    await assert.rejects(
      app.transact((trx) => sql`truncate ledger_events`.execute(trx)),
      /permission denied/,
    );
    const rows = await owner.db.selectFrom('ledger_events').select('type').execute();
    assert.deepEqual(
      rows.map((r) => r.type),
      ['test.app_role'],
    );
  });

  test('a role name that is not a plain identifier is refused', async () => {
    await assert.rejects(grantAppRole(owner.writer, 'x; drop table users'), /not a plain PostgreSQL role name/);
  });
});
