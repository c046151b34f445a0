// Public transparency pages: who publishes, what each change records, and what the public sees
// (only published pages, no internal id, the runtime state now), on both databases.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp, type TestUser } from '../../../test/app.js';
import { buildSystem } from '../../../test/factories.js';
import { DIALECTS, ledgerSize } from '../../../test/stores.js';
import { PUBLIC_PAGES_LIMIT } from './transparency.routes.js';
import { PUBLIC_REF_PATTERN } from './transparency.service.js';

let address = 0;
/** A fresh client address, so each test has its own rate-limit window. */
const nextAddress = () => `10.7.${Math.floor(++address / 250)}.${(address % 250) + 1}`;

const PAGE = {
  publicName: 'Loan pre-screening assistant',
  whatItDoes: 'Sorts loan applications by the documents they still need.',
  whatItDoesNot: 'It never refuses a loan: a credit officer decides.',
  humanReview: 'A credit officer reviews every suggestion before it is used.',
  overseenBy: 'Head of Credit Risk',
  howToChallenge: 'Use the appeal form with the reference on this page.',
};
const WHY = 'Publishing under our transparency policy';

for (const dialect of DIALECTS) {
  describe(`transparency pages [${dialect}]`, () => {
    let t: TestApp;
    let admin: TestUser;
    let lead: TestUser;
    let officer: TestUser;
    let owner: TestUser;
    let ownerOfAnother: TestUser;
    /** Passes the route's role check (system_owner of some system) and leads governance: still not this system's publisher. */
    let leadOwningAnother: TestUser;
    let systemId: string;

    const anonymous = (url: string, remoteAddress = nextAddress()) => t.app.inject({ method: 'GET', url, remoteAddress });

    before(async () => {
      t = await createTestApp(dialect);
      admin = await t.user(['admin']);
      lead = await t.user(['governance_lead']);
      officer = await t.user(['oversight_officer']);
      owner = await t.user(['contributor']);
      ownerOfAnother = await t.user(['contributor']);
      const system = await buildSystem(t.store, { accountableOwnerId: owner.id, euRiskTier: 'minimal' });
      systemId = system.id;
      await buildSystem(t.store, { accountableOwnerId: ownerOfAnother.id });
      leadOwningAnother = await t.user(['governance_lead']);
      await buildSystem(t.store, { accountableOwnerId: leadOwningAnother.id });
    });
    after(() => t.close());

    test("only the system's owner or an admin publishes, with a rationale; each change is a ledger event; refusals write nothing", async () => {
      const before = await ledgerSize(t.store);
      for (const [who, code] of [
        [ownerOfAnother, 'forbidden'],
        [leadOwningAnother, 'forbidden'],
        [lead, 'forbidden'],
        [officer, 'forbidden'],
      ] as const) {
        const res = await t.call(who, 'PUT', `/api/v1/systems/${systemId}/publication`, { published: true, ...PAGE, rationale: WHY });
        assert.equal(res.statusCode, 403, res.body);
        assert.equal(res.json().error.code, code);
      }
      const noWhy = await t.call(owner, 'PUT', `/api/v1/systems/${systemId}/publication`, { published: true, ...PAGE, rationale: 'ok' });
      assert.equal(noWhy.json().error.code, 'validation_failed');
      assert.equal(noWhy.json().error.details.field, 'rationale');
      const blank = await t.call(owner, 'PUT', `/api/v1/systems/${systemId}/publication`, {
        published: true,
        ...PAGE,
        howToChallenge: '  ',
        rationale: WHY,
      });
      assert.equal(blank.json().error.code, 'validation_failed');
      assert.equal(blank.json().error.details.field, 'howToChallenge');
      const unknown = await t.call(admin, 'PUT', `/api/v1/systems/${randomUUID()}/publication`, {
        published: false,
        ...PAGE,
        rationale: WHY,
      });
      assert.equal(unknown.json().error.code, 'not_found');
      assert.equal(await ledgerSize(t.store), before, 'nothing written on refusal');
      assert.equal(await t.store.db.selectFrom('system_publications').select('system_id').executeTakeFirst(), undefined);

      const draft = await t.call(owner, 'PUT', `/api/v1/systems/${systemId}/publication`, {
        published: false,
        ...PAGE,
        rationale: 'A draft for the legal team to read',
      });
      assert.equal(draft.statusCode, 201, draft.body);
      assert.match(draft.json().publicRef, new RegExp(PUBLIC_REF_PATTERN));
      assert.equal(draft.json().published, false);
      assert.equal(draft.json().updatedByName !== null, true);

      const stale = await t.call(admin, 'PUT', `/api/v1/systems/${systemId}/publication`, { published: true, ...PAGE, rationale: WHY });
      assert.equal(stale.json().error.code, 'precondition_required');
      const wrong = await t.call(admin, 'PUT', `/api/v1/systems/${systemId}/publication`, {
        published: true,
        ...PAGE,
        rationale: WHY,
        version: 9,
      });
      assert.equal(wrong.json().error.code, 'version_conflict');
      const published = await t.call(admin, 'PUT', `/api/v1/systems/${systemId}/publication`, {
        published: true,
        ...PAGE,
        rationale: WHY,
        version: 1,
      });
      assert.equal(published.statusCode, 200, published.body);
      assert.equal(published.json().publicRef, draft.json().publicRef, 'the reference never changes');
      assert.ok(published.json().publishedAt);

      const events = await t.store.db
        .selectFrom('ledger_events')
        .select(['type', 'leaf', 'actor_id', 'system_id'])
        .where('type', 'like', 'system.publication_%')
        .orderBy('seq')
        .execute();
      assert.deepEqual(
        events.map((e) => [e.type, e.actor_id, e.system_id]),
        [
          ['system.publication_created', owner.id, systemId],
          ['system.publication_published', admin.id, systemId],
        ],
      );
      const leaf = JSON.parse(events[1].leaf);
      assert.equal(leaf.reason, WHY);
      assert.equal(leaf.before.published, false);
      assert.equal(leaf.after.published, true);
      assert.equal(leaf.data.publicRef, draft.json().publicRef);
      assert.equal(await ledgerSize(t.store), before + 2);

      const read = await t.call(lead, 'GET', `/api/v1/systems/${systemId}/publication`);
      assert.equal(read.json().version, 2);
    });

    test('the public pages show only what is published, no internal id, and the runtime state now', async () => {
      const hidden = await buildSystem(t.store, { accountableOwnerId: owner.id, name: 'Internal fraud model' });
      const draft = await t.call(admin, 'PUT', `/api/v1/systems/${hidden.id}/publication`, {
        published: false,
        ...PAGE,
        publicName: 'Secret draft page',
        rationale: 'Draft only, not for the public yet',
      });
      assert.equal(draft.statusCode, 201, draft.body);
      const staffView = (await t.call(lead, 'GET', `/api/v1/systems/${systemId}/publication`)).json();
      if (!staffView.published) {
        const res = await t.call(admin, 'PUT', `/api/v1/systems/${systemId}/publication`, {
          published: true,
          ...PAGE,
          rationale: WHY,
          version: staffView.version,
        });
        assert.equal(res.statusCode, 200, res.body);
      }
      const ref = staffView.publicRef as string;

      const list = await anonymous('/api/v1/public/systems');
      assert.equal(list.statusCode, 200, list.body);
      assert.equal(list.json().total, 1);
      assert.deepEqual(
        list.json().items.map((s: { ref: string }) => s.ref),
        [ref],
      );
      const page = await anonymous(`/api/v1/public/systems/${ref}`);
      assert.equal(page.statusCode, 200, page.body);
      assert.equal(page.json().name, PAGE.publicName);
      assert.equal(page.json().state, 'active');
      assert.deepEqual(Object.keys(page.json()).sort(), [
        'howToChallenge',
        'humanReview',
        'name',
        'overseenBy',
        'publishedAt',
        'ref',
        'state',
        'updatedAt',
        'whatItDoes',
        'whatItDoesNot',
      ]);
      for (const body of [list.body, page.body]) {
        for (const secret of [
          systemId,
          hidden.id,
          'Secret draft page',
          'Internal fraud model',
          draft.json().publicRef,
          admin.id,
          owner.id,
        ]) {
          assert.ok(!body.includes(secret), `the public pages never show ${secret}`);
        }
      }
      const unpublished = await anonymous(`/api/v1/public/systems/${draft.json().publicRef}`);
      const nonexistent = await anonymous('/api/v1/public/systems/PL-000000');
      assert.equal(unpublished.statusCode, 404);
      assert.equal(unpublished.json().error.code, 'not_found');
      assert.deepEqual(unpublished.json().error, nonexistent.json().error, 'an unpublished page answers as one that does not exist');
      const byId = await anonymous(`/api/v1/public/systems/${systemId}`);
      assert.ok(['not_found', 'validation_failed'].includes(byId.json().error.code), 'the internal id is no reference');

      // Paused by its overseer: the public page says so at once.
      await t.call(lead, 'POST', `/api/v1/systems/${systemId}/oversight/roster`, {
        userId: officer.id,
        authorities: ['pause', 'restrict', 'resume'],
        competence: 'Credit risk analyst',
        training: 'AI oversight course',
      });
      const paused = await t.call(officer, 'POST', `/api/v1/systems/${systemId}/runtime/pause`, {
        reason: 'Drift found in last week’s scores',
      });
      assert.equal(paused.statusCode, 200, paused.body);
      assert.equal((await anonymous(`/api/v1/public/systems/${ref.toLowerCase()}`)).json().state, 'paused');

      // Withdrawn: gone from the public pages.
      const current = (await t.call(lead, 'GET', `/api/v1/systems/${systemId}/publication`)).json();
      const withdrawn = await t.call(owner, 'PUT', `/api/v1/systems/${systemId}/publication`, {
        published: false,
        ...PAGE,
        rationale: 'Withdrawn while the system is paused',
        version: current.version,
      });
      assert.equal(withdrawn.statusCode, 200, withdrawn.body);
      assert.equal((await anonymous('/api/v1/public/systems')).json().total, 0);
      assert.equal((await anonymous(`/api/v1/public/systems/${ref}`)).statusCode, 404);
      const last = await t.store.db.selectFrom('ledger_events').select('type').orderBy('seq', 'desc').executeTakeFirstOrThrow();
      assert.equal(last.type, 'system.publication_withdrawn');
    });

    test('the public pages are rate-limited per address', async () => {
      const ip = nextAddress();
      for (let i = 0; i < PUBLIC_PAGES_LIMIT; i++) assert.equal((await anonymous('/api/v1/public/systems?limit=1', ip)).statusCode, 200);
      const limited = await anonymous('/api/v1/public/systems/PL-000000', ip);
      assert.equal(limited.statusCode, 429);
      assert.equal(limited.json().error.code, 'rate_limited');
      assert.equal((await anonymous('/api/v1/public/systems?limit=1')).statusCode, 200, 'another address is served');
    });
  });
}
