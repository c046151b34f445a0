// The composition root: the app, its jobs and its requests use the one Services object they are
// given (no second runtime cache started by the routes, no signer looked up by name), and
// closeServices stops what createServices started.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { createTestApp, type TestApp, type TestUser } from '../test/app.js';
import { buildSystem } from '../test/factories.js';
import { DIALECTS, ledgerSize } from '../test/stores.js';
import { notify } from './db/store.js';
import { serverJobs } from './jobs/jobs.js';
import { verifyCheckpoint } from './ledger/checkpoint-note.js';
import { RUNTIME_CHANNEL } from './modules/oversight/oversight.service.js';
import { closeServices, createServices } from './services.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const dialect of DIALECTS) {
  describe(`one typed composition root [${dialect}]`, () => {
    let t: TestApp;
    let reader: TestUser;

    before(async () => {
      t = await createTestApp(dialect, {
        PROOFLINE_MIN_RATIONALE_LENGTH: '17',
        PROOFLINE_EMERGENCY_REVIEW_HOURS: '5',
        PROOFLINE_PASSWORD_HASH_COST: '12',
      });
      reader = await t.user(['auditor']);
    });
    after(() => t.close());

    test('policies come from the configuration, and every request context carries them', async () => {
      assert.deepEqual({ ...t.services.policies }, { minRationaleLength: 17, emergencyReviewHours: 5, passwordHashCost: 12 });
      assert.equal(t.app.policies, t.services.policies);
      // A ledger note's text is held to the configured minimum: 16 visible characters are refused.
      const admin = await t.user(['admin']);
      const before = await ledgerSize(t.store);
      const short = await t.call(admin, 'POST', '/api/v1/ledger/notes', { text: 'sixteen letters!' });
      assert.equal(short.statusCode, 400, short.body);
      assert.equal(short.json().error.code, 'validation_failed');
      assert.equal(short.json().error.details.minimum, 17);
      assert.equal(await ledgerSize(t.store), before);
    });

    test("the runtime route serves the Services' cache; the checkpoint job signs with the Services' signer", async () => {
      const system = await buildSystem(t.store);
      assert.equal((await t.call(reader, 'GET', `/api/v1/systems/${system.id}/runtime`)).json().state, 'active');
      // Changed behind the cache's back (as another process would): the routes answer what the
      // one shared cache holds.
      await t.store.transact(async (trx) => {
        await trx
          .insertInto('system_runtime')
          .values({
            system_id: system.id,
            state: 'paused',
            conditions: '{}',
            reason: 'paused elsewhere',
            updated_by: null,
            updated_at: new Date().toISOString(),
            pending_resume_by: null,
            pending_resume_reason: null,
            pending_resume_at: null,
          })
          .execute();
        await notify(trx, RUNTIME_CHANNEL, system.id);
      });
      await t.services.runtimeCache.refresh(system.id);
      assert.equal((await t.call(reader, 'GET', `/api/v1/systems/${system.id}/runtime`)).json().state, 'paused');

      const job = serverJobs({ store: t.store, config: t.config, services: t.services }).find((j) => j.name === 'ledger-checkpoint');
      const made = await job?.run();
      assert.ok(made, 'the ledger grew, so the job made a checkpoint');
      const latest = await t.store.db
        .selectFrom('ledger_checkpoints')
        .select('note')
        .orderBy('tree_size', 'desc')
        .executeTakeFirstOrThrow();
      assert.equal(verifyCheckpoint(latest.note, t.services.signer.verifier).ok, true, 'signed with services.signer');
    });

    test('closeServices stops the runtime cache: a change made elsewhere is no longer followed', async () => {
      const services = await createServices(t.config, t.store);
      const system = await buildSystem(t.store);
      assert.equal((await services.runtimeCache.get(system.id))?.state, 'active');
      const pauseElsewhere = (reason: string) =>
        t.store.transact(async (trx) => {
          await trx
            .insertInto('system_runtime')
            .values({
              system_id: system.id,
              state: 'paused',
              conditions: '{}',
              reason,
              updated_by: null,
              updated_at: new Date().toISOString(),
              pending_resume_by: null,
              pending_resume_reason: null,
              pending_resume_at: null,
            })
            .onConflict((oc) =>
              oc.column('system_id').doUpdateSet({ state: 'active', reason, version: sql<number>`system_runtime.version + 1` }),
            )
            .execute();
          await notify(trx, RUNTIME_CHANNEL, system.id);
        });
      await pauseElsewhere('paused by another process');
      await sleep(600);
      assert.equal((await services.runtimeCache.get(system.id))?.state, 'paused', 'followed while running');
      await closeServices(services);
      await pauseElsewhere('resumed by another process');
      await sleep(600);
      assert.equal((await services.runtimeCache.get(system.id))?.state, 'paused', 'not followed once closed');
    });
  });
}
