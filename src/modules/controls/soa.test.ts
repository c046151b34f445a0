// The Statement of Applicability on both databases: the unreviewed default, a change only through
// an approved soa_change request (pending and rejected requests change nothing, no route writes it,
// no emergency bypass), the versions read back, and the control status following an exclusion.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import yauzl from 'yauzl';
import { createTestApp, type TestApp, type TestUser } from '../../../test/app.js';
import { decide, errorCode, requestApproval } from '../../../test/approvals-helpers.js';
import { DIALECTS, ledgerSize } from '../../../test/stores.js';
import { systemContext } from '../../context.js';
import { PACK_FILES } from '../../evidence/pack-format.js';
import { generateEvidencePack } from '../../evidence/pack-writer.js';
import { loadRequest } from '../../governance/requests.repository.js';
import { DEFAULT_JUSTIFICATION } from '../../governance/soa.js';
import { writeSoaVersion } from '../../governance/soa-versions.js';

const EXCLUDED = 'iso42001:A.10.3';
const WHY = 'We supply no AI system to customers; nothing leaves the organisation';

interface Entry {
  controlId: string;
  applicable: boolean;
  justification: string;
  version: number;
  approved: boolean;
  approvalRequestId: string | null;
  approvedBy: Array<{ id: string; name: string }>;
}
interface Soa {
  version: number;
  approved: boolean;
  entries: Entry[];
}

/** One file of a generated evidence pack. */
async function packFile(stream: NodeJS.ReadableStream, name: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.fromBuffer(Buffer.concat(chunks), { lazyEntries: true }, (e, z) => (e ? reject(e) : resolve(z))),
  );
  return new Promise<string>((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      if (entry.fileName !== name) return zip.readEntry();
      zip.openReadStream(entry, async (error, read) => {
        if (error) return reject(error);
        const parts: Buffer[] = [];
        for await (const part of read) parts.push(part as Buffer);
        resolve(Buffer.concat(parts).toString('utf8'));
      });
    });
    zip.on('end', () => reject(new Error(`${name} is not in the pack`)));
    zip.on('error', reject);
    zip.readEntry();
  });
}

for (const dialect of DIALECTS) {
  describe(`Statement of Applicability [${dialect}]`, () => {
    let t: TestApp;
    let lead: TestUser;
    let secondLead: TestUser;
    let admin: TestUser;
    let owner: TestUser;
    let auditor: TestUser;

    const soa = async (path = '/api/v1/controls/soa') => {
      const res = await t.call(auditor, 'GET', path);
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as Soa;
    };
    const entry = (s: Soa, controlId: string) => {
      const found = s.entries.find((e) => e.controlId === controlId);
      assert.ok(found, `${controlId} is in the SoA`);
      return found;
    };
    const ask = (user: TestUser, entries: unknown[], rationale = 'Scope reviewed at the management review') =>
      t.call(user, 'POST', '/api/v1/controls/soa/change-requests', { entries, rationale });
    const versionsStored = async () =>
      Number(
        (
          await t.store.db
            .selectFrom('soa_versions')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    /** Withdraws every open soa_change, so each test starts with none. */
    const closeOpen = async () => {
      const open = await t.store.db
        .selectFrom('approval_requests')
        .select(['id', 'requested_by'])
        .where('kind', '=', 'soa_change')
        .where('status', 'in', ['pending', 'changes_requested'])
        .execute();
      for (const r of open) {
        const who = [lead, secondLead, admin].find((u) => u.id === r.requested_by) as TestUser;
        const res = await t.call(who, 'POST', `/api/v1/approvals/requests/${r.id}/withdraw`, { reason: 'Clearing up between tests' });
        assert.equal(res.statusCode, 200, res.body);
      }
    };

    before(async () => {
      t = await createTestApp(dialect);
      lead = await t.user(['governance_lead']);
      secondLead = await t.user(['governance_lead']);
      admin = await t.user(['admin']);
      owner = await t.user(['system_owner', 'approver']);
      auditor = await t.user(['auditor']);
    });
    after(() => t.close());

    test('before any approval every Annex A control is applicable, not yet reviewed, and marked as not approved', async () => {
      const now = await soa();
      assert.equal(now.version, 0);
      assert.equal(now.approved, false);
      assert.equal(now.entries.length, 38);
      for (const e of now.entries) {
        assert.deepEqual(
          [e.applicable, e.justification, e.version, e.approved, e.approvalRequestId],
          [true, DEFAULT_JUSTIFICATION, 0, false, null],
        );
      }
      assert.deepEqual(await soa('/api/v1/controls/soa/versions/0'), now);
      const versions = await t.call(auditor, 'GET', '/api/v1/controls/soa/versions');
      assert.equal(versions.json().total, 0);
      const missing = await t.call(auditor, 'GET', '/api/v1/controls/soa/versions/1');
      assert.equal(missing.statusCode, 404);
      assert.equal(errorCode(missing), 'not_found');
    });

    test('no route writes the SoA: PUT, PATCH, POST and DELETE on it answer 404 and nothing changes', async () => {
      const before = await soa();
      const size = await ledgerSize(t.store);
      const body = { entries: [{ controlId: EXCLUDED, applicable: false, justification: WHY }] };
      for (const method of ['PUT', 'PATCH', 'POST', 'DELETE'])
        for (const path of ['/api/v1/controls/soa', '/api/v1/controls/soa/versions', '/api/v1/controls/soa/versions/1']) {
          const res = await t.call(admin, method, path, body);
          assert.equal(res.statusCode, 404, `${method} ${path}: ${res.body}`);
          assert.equal(errorCode(res), 'not_found');
        }
      assert.deepEqual(await soa(), before);
      assert.equal(await ledgerSize(t.store), size);
    });

    test('only a governance lead or an admin asks for a SoA change, on its route and through the approvals route', async () => {
      const size = await ledgerSize(t.store);
      for (const user of [owner, auditor]) {
        const res = await ask(user, [{ controlId: EXCLUDED, applicable: false, justification: WHY }]);
        assert.equal(res.statusCode, 403, res.body);
        assert.equal(errorCode(res), 'forbidden');
      }
      const generic = await t.call(owner, 'POST', '/api/v1/approvals/requests', {
        kind: 'soa_change',
        subjectId: 'iso42001',
        title: 'Exclude A.10.3',
        justification: 'Scope reviewed at the management review',
        change: { soaEntries: [{ controlId: EXCLUDED, applicable: false, justification: WHY }] },
      });
      assert.equal(generic.statusCode, 403, generic.body);
      assert.equal(errorCode(generic), 'forbidden');
      assert.equal(await ledgerSize(t.store), size);
    });

    test('a change names Annex A controls of the catalog, each once, each with a justification of the minimum length', async () => {
      const size = await ledgerSize(t.store);
      for (const [entries, field] of [
        [[{ controlId: 'iso42001:A.99.9', applicable: false, justification: WHY }], 'change.soaEntries.0.controlId'],
        [[{ controlId: 'iso42001:6.1.3', applicable: false, justification: WHY }], 'change.soaEntries.0.controlId'],
        [[{ controlId: 'nist-ai-rmf:GOVERN-1.1', applicable: false, justification: WHY }], 'change.soaEntries.0.controlId'],
        [
          [
            { controlId: EXCLUDED, applicable: false, justification: WHY },
            { controlId: 'A.10.3', applicable: true, justification: WHY },
          ],
          'change.soaEntries.1.controlId',
        ],
        [[{ controlId: EXCLUDED, applicable: false, justification: 'n/a' }], 'change.soaEntries.0.justification'],
        [[{ controlId: EXCLUDED, applicable: false, justification: '     .    ' }], 'change.soaEntries.0.justification'],
      ] as const) {
        const res = await ask(lead, [...entries]);
        assert.equal(res.statusCode, 400, res.body);
        assert.equal(errorCode(res), 'validation_failed');
        assert.equal(res.json().error.details.field, field, JSON.stringify(entries));
      }
      assert.equal(await ledgerSize(t.store), size);
    });

    test('an exclusion applies only when its chain completes: version 1, the entry, the event, and the control is not applicable', async () => {
      await closeOpen();
      const created = await ask(lead, [{ controlId: EXCLUDED, applicable: false, justification: WHY }]);
      assert.equal(created.statusCode, 201, created.body);
      const request = created.json() as { id: string; kind: string; status: string; policy: { id: string } };
      assert.deepEqual([request.kind, request.status, request.policy.id], ['soa_change', 'pending', 'soa_change:*']);

      const pendingSoa = await soa();
      assert.equal(pendingSoa.version, 0, 'a pending request changes nothing');
      const self = await decide(t, lead, request.id);
      assert.equal(self.statusCode, 403);
      assert.equal(errorCode(self), 'self_approval_forbidden');
      const early = await decide(t, admin, request.id);
      assert.equal(early.statusCode, 403, 'top management signs after the governance lead');
      assert.equal((await decide(t, secondLead, request.id)).json().status, 'pending');
      assert.equal((await soa()).version, 0, 'half a chain changes nothing');
      assert.equal(await versionsStored(), 0);

      const done = await decide(t, admin, request.id);
      assert.equal(done.statusCode, 200, done.body);
      assert.equal(done.json().status, 'approved');
      assert.ok(done.json().appliedAt);

      const now = await soa();
      assert.deepEqual([now.version, now.approved], [1, true]);
      const excluded = entry(now, EXCLUDED);
      assert.deepEqual([excluded.applicable, excluded.justification, excluded.version, excluded.approved], [false, WHY, 1, true]);
      assert.equal(excluded.approvalRequestId, request.id);
      assert.deepEqual(
        excluded.approvedBy.map((s) => s.id),
        [secondLead.id, admin.id],
      );
      assert.equal(entry(now, 'iso42001:A.2.2').version, 0, 'the other entries stay the default');
      assert.deepEqual(await soa('/api/v1/controls/soa/versions/1'), now);
      assert.equal(entry(await soa('/api/v1/controls/soa/versions/0'), EXCLUDED).applicable, true, 'version 0 stays as it was');

      const versions = (await t.call(auditor, 'GET', '/api/v1/controls/soa/versions')).json();
      assert.equal(versions.total, 1);
      assert.deepEqual(
        versions.items.map((v: { version: number; approvalRequestId: string; requestedBy: string; appliedBy: string }) => [
          v.version,
          v.approvalRequestId,
          v.requestedBy,
          v.appliedBy,
        ]),
        [[1, request.id, lead.id, admin.id]],
      );
      assert.ok(versions.items[0].requestedByName);

      const events = await t.store.db
        .selectFrom('ledger_events')
        .select(['type', 'subject_id'])
        .where('type', '=', 'soa.changed')
        .execute();
      assert.deepEqual(events, [{ type: 'soa.changed', subject_id: 'iso42001' }]);

      const status = (await t.call(auditor, 'GET', '/api/v1/controls/status?framework=iso42001')).json() as {
        items: Array<{ controlId: string; status: string; basis: string; reason: string | null }>;
      };
      const control = status.items.find((i) => i.controlId === EXCLUDED);
      assert.ok(control);
      assert.deepEqual([control.status, control.basis], ['not_applicable', 'excluded']);
      assert.match(control.reason ?? '', new RegExp(WHY));
    });

    test('an evidence pack carries the real SoA: the exclusion, its justification, version and signers', async () => {
      const pack = await generateEvidencePack(t.store, {
        ctx: systemContext('soa-test'),
        scope: { kind: 'framework', id: 'iso42001' },
        signer: t.services.signer,
      });
      const statement = JSON.parse(await packFile(pack.stream, PACK_FILES.soa)) as Array<{
        controlId: string;
        applicable: boolean;
        justification: string;
        implemented: boolean;
        soaVersion: number | null;
        approved: boolean;
        approvedBy: Array<{ id: string }>;
      }>;
      const excluded = statement.find((e) => e.controlId === EXCLUDED);
      assert.ok(excluded);
      assert.deepEqual(
        [excluded.applicable, excluded.justification, excluded.implemented, excluded.soaVersion, excluded.approved],
        [false, WHY, false, 1, true],
      );
      assert.deepEqual(
        excluded.approvedBy.map((p) => p.id),
        [secondLead.id, admin.id],
      );
      const unreviewed = statement.find((e) => e.controlId === 'iso42001:A.2.2');
      assert.deepEqual([unreviewed?.applicable, unreviewed?.justification, unreviewed?.approved], [true, DEFAULT_JUSTIFICATION, false]);
    });

    test('an excluded control with an evidence rule leaves the status and the gaps, with its justification as the reason', async () => {
      await closeOpen();
      const ruled = 'iso42001:A.9.2';
      const beforeGaps = (await t.call(auditor, 'GET', '/api/v1/controls/gaps?framework=iso42001')).json();
      const created = await ask(lead, [{ controlId: ruled, applicable: false, justification: WHY }]);
      assert.equal(created.statusCode, 201, created.body);
      assert.equal((await decide(t, secondLead, created.json().id)).statusCode, 200);
      assert.equal((await decide(t, admin, created.json().id)).statusCode, 200);
      const status = (await t.call(auditor, 'GET', '/api/v1/controls/status?framework=iso42001')).json() as {
        items: Array<{ controlId: string; status: string; basis: string; reason: string | null; systems: unknown[] }>;
      };
      const control = status.items.find((i) => i.controlId === ruled);
      assert.deepEqual([control?.status, control?.basis, control?.systems.length], ['not_applicable', 'excluded', 0]);
      assert.match(control?.reason ?? '', /version 2/);
      const gaps = (await t.call(auditor, 'GET', '/api/v1/controls/gaps?framework=iso42001')).json() as {
        items: Array<{ controlId: string }>;
      };
      assert.equal(
        gaps.items.some((g) => g.controlId === ruled),
        false,
      );
      assert.ok(beforeGaps.items.length >= gaps.items.length);
    });

    test('a rejected request changes nothing; one SoA change is open at a time; it never bypasses its approval', async () => {
      await closeOpen();
      const before = await soa();
      const stored = await versionsStored();
      const created = await ask(lead, [{ controlId: 'iso42001:A.2.3', applicable: false, justification: WHY }]);
      assert.equal(created.statusCode, 201, created.body);
      const id = created.json().id as string;

      const second = await ask(secondLead, [{ controlId: 'iso42001:A.2.4', applicable: false, justification: WHY }]);
      assert.equal(second.statusCode, 409, second.body);
      assert.equal(errorCode(second), 'conflict');

      const size = await ledgerSize(t.store);
      const emergency = await t.call(lead, 'POST', `/api/v1/approvals/requests/${id}/emergency`, {
        reason: 'Auditor arrives tomorrow morning',
      });
      assert.equal(emergency.statusCode, 409, emergency.body);
      assert.equal(errorCode(emergency), 'invalid_transition');
      assert.equal(await ledgerSize(t.store), size);

      const rejected = await decide(t, secondLead, id, { decision: 'reject' });
      assert.equal(rejected.json().status, 'rejected');
      assert.deepEqual(await soa(), before);
      assert.equal(await versionsStored(), stored);
    });

    test('the one write path checks the approval itself: a pending soa_change writes no version', async () => {
      await closeOpen();
      const created = await requestApproval(t, lead, {
        kind: 'soa_change',
        subjectId: 'iso42001',
        change: { soaEntries: [{ controlId: 'iso42001:A.2.4', applicable: false, justification: WHY }] },
      });
      const before = await soa();
      const size = await ledgerSize(t.store);
      const request = await loadRequest(t.store.db, created.id);
      await assert.rejects(
        t.store.transact((trx) => writeSoaVersion(trx, { ctx: systemContext('test'), request, rationale: WHY })),
        (error: { code?: string }) => error.code === 'approval_required',
      );
      assert.deepEqual(await soa(), before);
      assert.equal(await ledgerSize(t.store), size);
    });
  });
}
