// Every "why" a person writes goes through one policy (src/rationale.ts): this table tries each HTTP
// entry point with text that only looks long (NULs, zero-width characters, padded bidi overrides,
// combining marks) and with a short word, and checks the configured minimum is counted in visible
// characters. The app runs with a minimum of 12, not the default 10, so a route that forgot to pass
// the configured minimum fails here too.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { createTestApp, type TestApp, type TestUser } from '../test/app.js';
import { buildSystem } from '../test/factories.js';
import { DIALECTS, ledgerSize } from '../test/stores.js';

const MINIMUM = 12;
const DAY = 86_400_000;

/** Texts that are long in UTF-16 units but have (far) fewer visible characters than MINIMUM. */
const INVISIBLE_TEXTS: Array<[string, string]> = [
  ['twelve NULs', '\u0000'.repeat(12)],
  ['zero-width spaces and joiners', '\u200B\u200C\u200D\u2060\uFEFF'.repeat(4)],
  ['right-to-left overrides padded with spaces', `\u202E${' '.repeat(12)}\u202D abc \u202C${'\u00A0'.repeat(12)}`],
  ['a three-character word', 'try'],
  ['combining marks only', '\u0301\u0308\u0327\u20DD'.repeat(4)],
];
/** Exactly MINIMUM visible characters, spread out with invisible ones; and one fewer. */
const EXACTLY_MINIMUM = 'Seen \u200Bthe  e\u0301vid\u00A0!\u2060';
const ONE_FEWER = 'Seen \u200Bthe  e\u0301vid\u00A0\u202E    \u202C';

interface EntryPoint {
  /** The request field that carries the "why". */
  field: string;
  /** Prepares what the call needs and returns the call, sending `why` in the field. */
  setup: () => Promise<(why: string) => Promise<LightMyRequestResponse>>;
  /** Status of a successful call. */
  ok: number;
}

for (const dialect of DIALECTS) {
  describe(`every "why" is counted in visible characters against one configured minimum [${dialect}]`, () => {
    let t: TestApp;
    let admin: TestUser;
    let lead: TestUser;
    let contributor: TestUser;
    let approver: TestUser;
    let approver2: TestUser;
    let reviewer: TestUser;
    let officer: TestUser;
    let ingest: TestUser;
    let ip = 0;

    before(async () => {
      t = await createTestApp(dialect, { PROOFLINE_MIN_RATIONALE_LENGTH: String(MINIMUM) });
      [admin, lead, contributor, approver, approver2, reviewer, officer] = await Promise.all([
        t.user(['admin']),
        t.user(['governance_lead']),
        t.user(['contributor']),
        t.user(['approver']),
        t.user(['approver']),
        t.user(['reviewer']),
        t.user([]),
      ]);
      ingest = await t.user(['contributor'], { scopes: ['ingest'] });
    });
    after(() => t.close());

    const ownedSystem = (overrides = {}) => buildSystem(t.store, { accountableOwnerId: lead.id, ...overrides });
    const expectOk = (res: LightMyRequestResponse, status = 200) => assert.equal(res.statusCode, status, res.body);
    const version = async (url: string) => (await t.call(admin, 'GET', url)).json().version as number;

    async function openRequest(by: TestUser, systemId: string) {
      const res = await t.call(by, 'POST', '/api/v1/approvals/requests', {
        kind: 'intended_use_change',
        subjectId: systemId,
        title: 'New intended use',
        justification: 'Needed for the Q3 release',
        change: { intendedUse: 'Fraud triage for the back office' },
      });
      expectOk(res, 201);
      return res.json() as { id: string; contentDigest: string; version: number };
    }

    async function openException(systemId: string) {
      const res = await t.call(lead, 'POST', '/api/v1/exceptions', {
        systemId,
        kind: 'deviation',
        title: 'Model used outside its approved population',
        description: 'Scores were produced for applicants under 18.',
        severity: 'high',
        raisedBy: { type: 'person', ref: lead.email },
        ownerId: lead.id,
        resolverId: admin.id,
      });
      expectOk(res, 201);
      return res.json() as { id: string };
    }

    async function moveException(id: string, steps: string[]) {
      for (const to of steps) {
        const v = await version(`/api/v1/exceptions/${id}`);
        expectOk(await t.call(lead, 'POST', `/api/v1/exceptions/${id}/transitions`, { to, reason: `moving on to ${to}`, version: v }));
      }
    }

    async function overseen(authorities: string[]) {
      const system = await ownedSystem({ euRiskTier: 'minimal' });
      expectOk(
        await t.call(lead, 'POST', `/api/v1/systems/${system.id}/oversight/roster`, {
          userId: officer.id,
          authorities,
          competence: 'Credit risk analyst, 8 years',
          training: 'AI oversight course 2026-01',
        }),
        201,
      );
      return system;
    }

    async function fileAppeal(systemId: string) {
      const res = await t.call(reviewer, 'POST', '/api/v1/appeals', {
        systemId,
        decisionId: 'D-1',
        appellantName: 'Jane Doe',
        statement: 'My income was not taken into account.',
      });
      expectOk(res, 201);
      return res.json().appeal as { id: string; ownerId: string };
    }

    const ENTRY_POINTS: Record<string, EntryPoint> = {
      'POST /systems/:id/owner': {
        field: 'rationale',
        ok: 200,
        setup: async () => {
          const s = await ownedSystem();
          return (rationale) => t.callCurrent(admin, 'POST', `/api/v1/systems/${s.id}/owner`, { ownerId: admin.id, rationale });
        },
      },
      'POST /systems/:id/status': {
        field: 'rationale',
        ok: 200,
        setup: async () => {
          const s = await ownedSystem();
          return (rationale) => t.callCurrent(admin, 'POST', `/api/v1/systems/${s.id}/status`, { status: 'in_development', rationale });
        },
      },
      'POST /systems/:id/risk-tier': {
        field: 'rationale',
        ok: 200,
        setup: async () => {
          const s = await ownedSystem();
          return (rationale) => t.callCurrent(admin, 'POST', `/api/v1/systems/${s.id}/risk-tier`, { orgRiskTier: 'B', rationale });
        },
      },
      'POST /systems/:id/triage': {
        field: 'rationale',
        ok: 200,
        setup: async () => {
          const s = await ownedSystem({ deploymentKind: 'shadow' });
          return (rationale) => t.callCurrent(admin, 'POST', `/api/v1/systems/${s.id}/triage`, { rationale });
        },
      },
      'PUT /systems/:id/phase-owners/:phase': {
        field: 'rationale',
        ok: 200,
        setup: async () => {
          const s = await ownedSystem();
          return (rationale) => t.call(admin, 'PUT', `/api/v1/systems/${s.id}/phase-owners/validation`, { userId: reviewer.id, rationale });
        },
      },
      'DELETE /systems/:id/phase-owners/:phase': {
        field: 'rationale',
        ok: 204,
        setup: async () => {
          const s = await ownedSystem();
          const url = `/api/v1/systems/${s.id}/phase-owners/validation`;
          expectOk(await t.call(admin, 'PUT', url, { userId: reviewer.id, rationale: 'Validation lead for this system' }));
          return (rationale) => t.call(admin, 'DELETE', url, { rationale });
        },
      },
      'POST /approvals/requests (justification)': {
        field: 'justification',
        ok: 201,
        setup: async () => {
          const s = await ownedSystem();
          return (justification) =>
            t.call(contributor, 'POST', '/api/v1/approvals/requests', {
              kind: 'intended_use_change',
              subjectId: s.id,
              title: 'New intended use',
              justification,
              change: { intendedUse: 'Fraud triage for the back office' },
            });
        },
      },
      'POST /approvals/requests (legal rationale out of the prohibited tier)': {
        field: 'change.legalRationale',
        ok: 201,
        setup: async () => {
          const s = await ownedSystem({ euRiskTier: 'prohibited' });
          return (legalRationale) =>
            t.call(contributor, 'POST', '/api/v1/approvals/requests', {
              kind: 'risk_tier_change',
              subjectId: s.id,
              title: 'Reclassify',
              justification: 'Legal review concluded the practice is not prohibited',
              change: { euRiskTier: 'high', legalRationale },
            });
        },
      },
      'POST /approvals/requests/:id/revisions': {
        field: 'reason',
        ok: 200,
        setup: async () => {
          const r = await openRequest(contributor, (await ownedSystem()).id);
          return (reason) =>
            t.call(contributor, 'POST', `/api/v1/approvals/requests/${r.id}/revisions`, {
              reason,
              change: { intendedUse: 'Fraud triage, second line' },
              version: r.version,
            });
        },
      },
      'POST /approvals/requests/:id/decisions': {
        field: 'rationale',
        ok: 200,
        setup: async () => {
          const r = await openRequest(contributor, (await ownedSystem()).id);
          return (rationale) =>
            t.call(lead, 'POST', `/api/v1/approvals/requests/${r.id}/decisions`, {
              decision: 'approve',
              rationale,
              contentDigest: r.contentDigest,
            });
        },
      },
      'POST /approvals/requests/:id/withdraw': {
        field: 'reason',
        ok: 200,
        setup: async () => {
          const r = await openRequest(contributor, (await ownedSystem()).id);
          return (reason) => t.call(contributor, 'POST', `/api/v1/approvals/requests/${r.id}/withdraw`, { reason });
        },
      },
      'POST /approvals/requests/:id/emergency': {
        field: 'reason',
        ok: 200,
        setup: async () => {
          const r = await openRequest(contributor, (await ownedSystem()).id);
          return (reason) => t.call(lead, 'POST', `/api/v1/approvals/requests/${r.id}/emergency`, { reason });
        },
      },
      'POST /approvals/delegations': {
        field: 'reason',
        ok: 201,
        setup: async () => async (reason) =>
          t.call(approver, 'POST', '/api/v1/approvals/delegations', {
            delegateId: approver2.id,
            endsAt: new Date(Date.now() + 7 * DAY).toISOString(),
            reason,
          }),
      },
      'POST /decisions/:id/review (override)': {
        field: 'reason',
        ok: 200,
        setup: async () => {
          const s = await ownedSystem();
          expectOk(await t.call(lead, 'PUT', `/api/v1/systems/${s.id}/decision-settings`, { allowRawInput: false, reviewSampleRate: 1 }));
          const decisionId = `D-${Math.random().toString(36).slice(2)}`;
          expectOk(
            await t.call(ingest, 'POST', '/api/v1/decisions/batch', {
              records: [{ decisionId, systemId: s.id, decidedAt: new Date().toISOString(), inputRef: 'case/1', output: 'refused' }],
            }),
          );
          const row = await t.store.db.selectFrom('decisions').select('id').where('decision_id', '=', decisionId).executeTakeFirstOrThrow();
          return (reason) => t.call(reviewer, 'POST', `/api/v1/decisions/${row.id}/review`, { outcome: 'override', reason });
        },
      },
      'POST /exceptions (description)': {
        field: 'description',
        ok: 201,
        setup: async () => {
          const s = await ownedSystem();
          return (description) =>
            t.call(lead, 'POST', '/api/v1/exceptions', {
              systemId: s.id,
              kind: 'deviation',
              title: 'Deviation',
              description,
              severity: 'low',
              raisedBy: { type: 'person', ref: lead.email },
              ownerId: lead.id,
              resolverId: admin.id,
            });
        },
      },
      'POST /exceptions/:id/transitions': {
        field: 'reason',
        ok: 200,
        setup: async () => {
          const e = await openException((await ownedSystem()).id);
          const v = await version(`/api/v1/exceptions/${e.id}`);
          return (reason) => t.call(lead, 'POST', `/api/v1/exceptions/${e.id}/transitions`, { to: 'triaged', reason, version: v });
        },
      },
      'POST /exceptions/:id/verify': {
        field: 'note',
        ok: 200,
        setup: async () => {
          const e = await openException((await ownedSystem()).id);
          await moveException(e.id, ['triaged', 'investigating', 'remediating', 'verifying']);
          const v = await version(`/api/v1/exceptions/${e.id}`);
          return (note) => t.call(reviewer, 'POST', `/api/v1/exceptions/${e.id}/verify`, { note, version: v });
        },
      },
      'POST /exceptions/:id/follow-ups/:followUpId/transitions': {
        field: 'reason',
        ok: 200,
        setup: async () => {
          const e = await openException((await ownedSystem()).id);
          const lesson = await t.call(lead, 'POST', `/api/v1/exceptions/${e.id}/lessons`, {
            text: 'Population limits must be enforced in code',
            followUps: [
              {
                kind: 'control_change',
                description: 'Add an input guard',
                ownerId: lead.id,
                dueAt: new Date(Date.now() + DAY).toISOString(),
              },
            ],
          });
          expectOk(lesson, 201);
          const followUp = lesson.json().followUps[0] as { id: string; version: number };
          return (reason) =>
            t.call(lead, 'POST', `/api/v1/exceptions/${e.id}/follow-ups/${followUp.id}/transitions`, {
              to: 'in_progress',
              reason,
              version: followUp.version,
            });
        },
      },
      'POST /incidents (description)': {
        field: 'description',
        ok: 201,
        setup: async () => {
          const s = await ownedSystem();
          return (description) =>
            t.call(lead, 'POST', '/api/v1/incidents', {
              systemId: s.id,
              title: 'Data disclosed',
              description,
              severity: 'critical',
              raisedBy: { type: 'alert', ref: 'monitor:dlp-17' },
              ownerId: lead.id,
              resolverId: admin.id,
              incident: {},
            });
        },
      },
      'PUT /incidents/:id (reason)': {
        field: 'reason',
        ok: 200,
        setup: async () => {
          const s = await ownedSystem();
          const opened = await t.call(lead, 'POST', '/api/v1/incidents', {
            systemId: s.id,
            title: 'Data disclosed',
            description: 'A prompt returned another customer’s history.',
            severity: 'critical',
            raisedBy: { type: 'alert', ref: 'monitor:dlp-17' },
            ownerId: lead.id,
            resolverId: admin.id,
            incident: {},
          });
          expectOk(opened, 201);
          const view = opened.json() as { id: string; version: number };
          return (reason) => t.call(lead, 'PUT', `/api/v1/incidents/${view.id}`, { death: true, reason, version: view.version });
        },
      },
      'POST /systems/:id/runtime/pause': {
        field: 'reason',
        ok: 200,
        setup: async () => {
          const s = await overseen(['pause']);
          return (reason) => t.call(officer, 'POST', `/api/v1/systems/${s.id}/runtime/pause`, { reason });
        },
      },
      'POST /systems/:id/runtime/restrict': {
        field: 'reason',
        ok: 200,
        setup: async () => {
          const s = await overseen(['restrict']);
          return (reason) =>
            t.call(officer, 'POST', `/api/v1/systems/${s.id}/runtime/restrict`, { reason, conditions: { humanReviewAll: true } });
        },
      },
      'POST /systems/:id/runtime/resume': {
        field: 'reason',
        ok: 200,
        setup: async () => {
          const s = await overseen(['pause', 'resume']);
          expectOk(await t.call(officer, 'POST', `/api/v1/systems/${s.id}/runtime/pause`, { reason: 'Outputs drifted overnight' }));
          return (reason) => t.call(officer, 'POST', `/api/v1/systems/${s.id}/runtime/resume`, { reason });
        },
      },
      'DELETE /systems/:id/oversight/roster/:userId': {
        field: 'reason',
        ok: 204,
        setup: async () => {
          const s = await overseen(['pause']);
          return (reason) => t.call(lead, 'DELETE', `/api/v1/systems/${s.id}/oversight/roster/${officer.id}`, { reason });
        },
      },
      'POST /public/appeals': {
        field: 'statement',
        ok: 202,
        setup: async () => {
          const s = await ownedSystem();
          return (statement) => {
            ip += 1;
            return t.app.inject({
              method: 'POST',
              url: '/api/v1/public/appeals',
              payload: { systemId: s.id, decisionId: 'D-1', statement },
              remoteAddress: `10.9.${Math.floor(ip / 250)}.${ip % 250}`,
            });
          };
        },
      },
      'POST /appeals (staff, on behalf)': {
        field: 'statement',
        ok: 201,
        setup: async () => {
          const s = await ownedSystem();
          return (statement) =>
            t.call(reviewer, 'POST', '/api/v1/appeals', { systemId: s.id, decisionId: 'D-1', appellantName: 'Jane Doe', statement });
        },
      },
      'POST /appeals/:id/resolve': {
        field: 'explanation',
        ok: 200,
        setup: async () => {
          const appeal = await fileAppeal((await ownedSystem()).id);
          expectOk(await t.call(lead, 'POST', `/api/v1/appeals/${appeal.id}/start-review`, { version: 1 }));
          return (explanation) =>
            t.call(lead, 'POST', `/api/v1/appeals/${appeal.id}/resolve`, { outcome: 'rejected', explanation, version: 2 });
        },
      },
      'PUT /systems/:id/publication': {
        field: 'rationale',
        ok: 201,
        setup: async () => {
          const s = await ownedSystem();
          const page = { publicName: 'P', whatItDoes: 'a', whatItDoesNot: 'b', humanReview: 'c', overseenBy: 'd', howToChallenge: 'e' };
          return (rationale) => t.call(admin, 'PUT', `/api/v1/systems/${s.id}/publication`, { published: true, ...page, rationale });
        },
      },
      'POST /ledger/notes': {
        field: 'text',
        ok: 201,
        setup: async () => async (text) => t.call(admin, 'POST', '/api/v1/ledger/notes', { text }),
      },
    };

    for (const [name, entry] of Object.entries(ENTRY_POINTS)) {
      test(`${name}: ${entry.field} needs ${MINIMUM} visible characters; invisible padding does not count`, async () => {
        const send = await entry.setup();
        const refusals: Array<[string, string]> = [...INVISIBLE_TEXTS, ['one visible character fewer than the minimum', ONE_FEWER]];
        for (const [what, text] of refusals) {
          const before = await ledgerSize(t.store);
          const res = await send(text);
          assert.equal(res.statusCode, 400, `${what}: ${res.body}`);
          const error = res.json().error;
          assert.equal(error.code, 'validation_failed', what);
          // NUL is no text at all: the edge (server/input.ts) refuses it before any use case, naming the
          // body field; everything else reaches the rationale rule, which names the field and minimum.
          if (what === 'twelve NULs') assert.equal(error.details.field, `body.${entry.field}`, what);
          else {
            assert.equal(error.details.field, entry.field, what);
            assert.equal(error.details.minimum, MINIMUM, what);
          }
          assert.equal(await ledgerSize(t.store), before, `${what}: nothing written`);
        }
        const before = await ledgerSize(t.store);
        const res = await send(EXACTLY_MINIMUM);
        assert.equal(res.statusCode, entry.ok, res.body);
        assert.ok((await ledgerSize(t.store)) > before, 'the accepted call is in the ledger');
      });
    }
  });
}

for (const dialect of DIALECTS) {
  describe(`text Proofline composes from checked rationales is not held to the minimum again [${dialect}]`, () => {
    // A minimum of 3, below the default: a composed text ("title: justification", an exception's
    // description made from a reason) shorter than the default must still go through.
    let t: TestApp;
    let owner: TestUser;
    let requester: TestUser;
    before(async () => {
      t = await createTestApp(dialect, { PROOFLINE_MIN_RATIONALE_LENGTH: '3' });
      [owner, requester] = await Promise.all([t.user(['governance_lead']), t.user(['contributor'])]);
    });
    after(() => t.close());

    async function openRequest(systemId: string) {
      const res = await t.call(requester, 'POST', '/api/v1/approvals/requests', {
        kind: 'risk_tier_change',
        subjectId: systemId,
        title: 'Go',
        justification: 'fix',
        change: { euRiskTier: 'high' },
      });
      assert.equal(res.statusCode, 201, res.body);
      return res.json() as { id: string; contentDigest: string };
    }

    test('an approved change is applied with its composed rationale', async () => {
      const s = await buildSystem(t.store, { accountableOwnerId: owner.id });
      const r = await openRequest(s.id);
      // The risk tier change goes through changeRiskTier, which holds a written rationale to the minimum.
      const res = await t.call(owner, 'POST', `/api/v1/approvals/requests/${r.id}/decisions`, {
        decision: 'approve',
        rationale: 'yes',
        contentDigest: r.contentDigest,
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().status, 'approved');
      const record = await t.store.db
        .selectFrom('change_records')
        .select(['rationale', 'approval_request_id'])
        .where('system_id', '=', s.id)
        .executeTakeFirstOrThrow();
      assert.deepEqual(record, { rationale: 'Go: fix', approval_request_id: r.id });
    });

    test('an emergency change opens its exception with the reason as description', async () => {
      const s = await buildSystem(t.store, { accountableOwnerId: owner.id });
      const r = await openRequest(s.id);
      const res = await t.call(owner, 'POST', `/api/v1/approvals/requests/${r.id}/emergency`, { reason: 'fire' });
      assert.equal(res.statusCode, 200, res.body);
      const exception = await t.store.db
        .selectFrom('exceptions')
        .select('description')
        .where('system_id', '=', s.id)
        .executeTakeFirstOrThrow();
      assert.equal(exception.description, 'fire');
    });
  });
}
