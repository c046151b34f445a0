// An evidence pack carries the live control status (issue 12: "the control status and SoA at
// generation time"), on both databases: controls/status.json is, for the same scope and time, what
// GET /api/v1/controls/status answers (an SoA exclusion and a failing condition with its reason
// included), and the PDF report and the OSCAL assessment results and POA&M name the same statuses.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { inflateSync } from 'node:zlib';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import yauzl from 'yauzl';
import { createTestApp, type TestApp, type TestUser } from '../../test/app.js';
import { decide } from '../../test/approvals-helpers.js';
import { buildSystem } from '../../test/factories.js';
import { createTestStore, DIALECTS, ledgerSize } from '../../test/stores.js';
import { systemContext } from '../context.js';
import { FRAMEWORK_IDS } from '../frameworks/catalog.js';
import { loadSigningKey } from '../ledger/signing-key.js';
import { PACK_FILES, type PackScope } from './pack-format.js';
import { generateEvidencePack } from './pack-writer.js';

const EXCLUDED = 'iso42001:A.9.4';
const WHY = 'Use of our AI systems is governed outside Proofline for this pilot';
const ROSTER_EMPTY = 'the oversight roster of the system is empty';

interface Item {
  controlId: string;
  title: string;
  status: string;
  basis: string;
  reason: string | null;
  systems: Array<{
    systemId: string;
    name: string;
    status: string;
    conditions: Array<{ condition: string; holds: boolean | null; reason: string | null }>;
  }>;
}
interface FrameworkStatus {
  framework: string;
  systemId: string | null;
  evaluatedAt: string;
  items: Item[];
}
interface PackStatus {
  evaluatedAt: string;
  frameworks: FrameworkStatus[];
  evidenceByMapping: Record<string, Array<{ eventType: string; events: number }>>;
}

async function unzip(stream: NodeJS.ReadableStream): Promise<Map<string, Buffer>> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.fromBuffer(Buffer.concat(chunks), { lazyEntries: true }, (e, z) => (e ? reject(e) : resolve(z))),
  );
  const files = new Map<string, Buffer>();
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      zip.openReadStream(entry, async (error, read) => {
        if (error) return reject(error);
        const parts: Buffer[] = [];
        for await (const part of read) parts.push(part as Buffer);
        files.set(entry.fileName, Buffer.concat(parts));
        zip.readEntry();
      });
    });
    zip.on('end', resolve);
    zip.on('error', reject);
    zip.readEntry();
  });
  return files;
}

/** The text a pdfkit PDF shows, one string per text operation, whitespace collapsed: each
 * content stream inflated, each TJ array's hex strings decoded (WinAnsi, the standard fonts). */
function pdfText(pdf: Buffer): string[] {
  const lines: string[] = [];
  const raw = pdf.toString('latin1');
  for (const match of raw.matchAll(/stream\r?\n/g)) {
    const start = (match.index ?? 0) + match[0].length;
    const end = raw.indexOf('endstream', start);
    let content: string;
    try {
      content = inflateSync(pdf.subarray(start, end)).toString('latin1');
    } catch {
      continue;
    }
    for (const tj of content.matchAll(/\[([^\]]*)\]\s*TJ/g)) {
      const text = [...tj[1].matchAll(/<([0-9a-fA-F]*)>/g)].map((h) => Buffer.from(h[1], 'hex').toString('latin1')).join('');
      lines.push(text.replace(/\s+/g, ' ').trim());
    }
  }
  return lines;
}

for (const dialect of DIALECTS) {
  describe(`an evidence pack carries the live control status (${dialect})`, () => {
    let t: TestApp;
    let auditor: TestUser;
    let systemId: string;
    let systemName: string;

    const pack = async (scope: PackScope) => {
      const generated = await generateEvidencePack(t.store, { ctx: systemContext('pack-status-test'), scope, signer: t.services.signer });
      return unzip(generated.stream);
    };
    const json = <T>(files: Map<string, Buffer>, name: string) => JSON.parse((files.get(name) as Buffer).toString('utf8')) as T;
    /** GET /api/v1/controls/status, with the pack's evaluation time: the rest must be equal. */
    const apiStatus = async (framework: string, evaluatedAt: string, system?: string) => {
      const res = await t.call(auditor, 'GET', `/api/v1/controls/status?framework=${framework}${system ? `&system=${system}` : ''}`);
      assert.equal(res.statusCode, 200, res.body);
      return { ...(res.json() as FrameworkStatus), evaluatedAt };
    };

    before(async () => {
      t = await createTestApp(dialect);
      auditor = await t.user(['auditor']);
      const lead = await t.user(['governance_lead']);
      const secondLead = await t.user(['governance_lead']);
      const admin = await t.user(['admin']);
      const system = await buildSystem(t.store);
      systemId = system.id;
      systemName = system.name;
      await buildSystem(t.store);
      // The SoA excludes a control that has an evidence rule, through its approval chain.
      const created = await t.call(lead, 'POST', '/api/v1/controls/soa/change-requests', {
        entries: [{ controlId: EXCLUDED, applicable: false, justification: WHY }],
        rationale: 'Scope reviewed at the management review',
      });
      assert.equal(created.statusCode, 201, created.body);
      assert.equal((await decide(t, secondLead, created.json().id)).statusCode, 200);
      assert.equal((await decide(t, admin, created.json().id)).statusCode, 200);
    });
    after(() => t.close());

    test('an organisation pack: controls/status.json is, per framework, what GET /controls/status answers', async () => {
      const sizeBefore = await ledgerSize(t.store);
      const files = await pack({ kind: 'organisation' });
      // Generating writes its one event; reading the status writes no ledger event.
      assert.equal(await ledgerSize(t.store), sizeBefore + 1);
      const status = json<PackStatus>(files, PACK_FILES.controls);
      const manifest = json<{ generatedAt: string }>(files, PACK_FILES.manifest);
      assert.equal(status.evaluatedAt, manifest.generatedAt);
      assert.deepEqual(
        status.frameworks.map((f) => [f.framework, f.systemId, f.evaluatedAt]),
        FRAMEWORK_IDS.map((f) => [f, null, manifest.generatedAt]),
      );
      for (const framework of status.frameworks)
        assert.deepEqual(framework, await apiStatus(framework.framework, status.evaluatedAt), framework.framework);

      const iso = status.frameworks[0].items;
      const excluded = iso.find((i) => i.controlId === EXCLUDED);
      assert.deepEqual([excluded?.status, excluded?.basis, excluded?.systems.length], ['not_applicable', 'excluded', 0]);
      assert.match(excluded?.reason ?? '', new RegExp(`Statement of Applicability \\(version 1\\): ${WHY}`));
      const roster = iso.find((i) => i.controlId === 'iso42001:A.4.6');
      assert.equal(roster?.status, 'not_satisfied');
      const condition = roster?.systems.find((s) => s.systemId === systemId)?.conditions.find((c) => c.condition === 'roster_staffed');
      assert.deepEqual([condition?.holds, condition?.reason], [false, ROSTER_EMPTY]);
      // The mapping's counts are kept beside the status, not as it.
      assert.ok(Object.values(status.evidenceByMapping).flat().length > 0);
      // The SoA names the exclusion and the live status.
      const soa = json<Array<{ controlId: string; applicable: boolean; justification: string; status: string; implemented: boolean }>>(
        files,
        PACK_FILES.soa,
      );
      assert.deepEqual(
        soa.filter((e) => e.controlId === EXCLUDED).map((e) => [e.applicable, e.justification, e.status, e.implemented]),
        [[false, WHY, 'not_applicable', false]],
      );
    });

    test('a system, framework or control pack carries the status of that scope, as the API answers it', async () => {
      const system = json<PackStatus>(await pack({ kind: 'system', id: systemId }), PACK_FILES.controls);
      assert.deepEqual(
        system.frameworks.map((f) => [f.framework, f.systemId]),
        FRAMEWORK_IDS.map((f) => [f, systemId]),
      );
      for (const framework of system.frameworks)
        assert.deepEqual(framework, await apiStatus(framework.framework, system.evaluatedAt, systemId), framework.framework);
      for (const scope of [
        { kind: 'framework', id: 'eu-ai-act' },
        { kind: 'control', id: 'iso42001:A.4.6' },
      ] as const) {
        const status = json<PackStatus>(await pack(scope), PACK_FILES.controls);
        const framework = scope.kind === 'framework' ? scope.id : 'iso42001';
        assert.deepEqual(
          status.frameworks.map((f) => f.framework),
          [framework],
        );
        assert.deepEqual(status.frameworks[0], await apiStatus(framework, status.evaluatedAt), scope.id);
      }
    });

    test('the PDF report and the OSCAL assessment results and POA&M name the same statuses as controls/status.json', async () => {
      const files = await pack({ kind: 'organisation' });
      const items = json<PackStatus>(files, PACK_FILES.controls).frameworks.flatMap((f) => f.items);
      assert.ok(new Set(items.map((i) => i.status)).size >= 3, 'the statuses vary: satisfied or partly, not satisfied, not applicable');

      const results = json<{
        'assessment-results': {
          results: Array<{
            findings: Array<{
              title: string;
              description: string;
              target: { props: Array<{ name: string; value: string }>; status: { state: string } };
            }>;
          }>;
        };
      }>(files, PACK_FILES.assessmentResults)['assessment-results'].results[0].findings;
      assert.deepEqual(
        results.map((f) => [f.title.split(' ')[0], f.target.props.find((p) => p.name === 'status')?.value]),
        items.map((i) => [i.controlId, i.status]),
      );
      assert.deepEqual(
        results.map((f) => f.target.status.state),
        items.map((i) => (i.status === 'partly' || i.status === 'not_satisfied' ? 'not-satisfied' : 'satisfied')),
      );
      assert.match(results.find((f) => f.title.startsWith(`${EXCLUDED} `))?.description ?? '', new RegExp(WHY));

      const poam = json<{
        'plan-of-action-and-milestones': {
          'poam-items': Array<{ title: string; description: string; props: Array<{ name: string; value: string }> }>;
        };
      }>(files, PACK_FILES.poam)['plan-of-action-and-milestones']['poam-items'];
      const failing = items.filter((i) => i.status === 'partly' || i.status === 'not_satisfied');
      assert.ok(failing.length > 0);
      assert.deepEqual(
        poam.map((p) => p.props.find((x) => x.name === 'control-id')?.value),
        failing.map((i) => i.controlId),
      );
      const rosterItem = poam.find((p) => p.title.startsWith('iso42001:A.4.6 '));
      assert.ok(rosterItem?.description.includes(`${systemName}: ${ROSTER_EMPTY}`), rosterItem?.description);

      // The PDF: after each control's heading, its live status.
      const text = pdfText(files.get(PACK_FILES.report) as Buffer);
      let at = 0;
      for (const item of items) {
        // Headings are the control id and its title (a long title wraps onto the next lines).
        const heading = text.findIndex((line, i) => i >= at && line.startsWith(`${item.controlId} `));
        assert.ok(heading >= 0, `${item.controlId} is in the report`);
        const statusLine = text.slice(heading).find((line) => line.startsWith('Status: '));
        assert.ok(statusLine?.startsWith(`Status: ${item.status.replace('_', ' ')} (${item.basis})`), `${item.controlId}: ${statusLine}`);
        at = heading + 1;
      }
      const whole = text.join(' ');
      assert.ok(whole.includes(WHY.split(' ').slice(0, 4).join(' ')), 'the exclusion’s justification is in the report');
      assert.ok(whole.includes(ROSTER_EMPTY.split(' ').slice(0, 4).join(' ')), 'the failing condition’s reason is in the report');
    });
  });
}

for (const dialect of DIALECTS) {
  describe(`an evidence pack with nothing to act on (${dialect})`, () => {
    test('no system in scope: every control not applicable, and the POA&M is one valid "No open action" item', async () => {
      const store = await createTestStore(dialect);
      try {
        const signer = loadSigningKey({
          signingKey: generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
          signingKeyFile: '',
          ledgerOrigin: 'proofline.test/ledger',
        });
        const generated = await generateEvidencePack(store, {
          ctx: systemContext('pack-status-test'),
          scope: { kind: 'framework', id: 'iso42001' },
          signer,
        });
        const files = await unzip(generated.stream);
        const status = JSON.parse((files.get(PACK_FILES.controls) as Buffer).toString('utf8')) as PackStatus;
        assert.deepEqual(new Set(status.frameworks[0].items.map((i) => i.status)), new Set(['not_applicable']));
        const poam = JSON.parse((files.get(PACK_FILES.poam) as Buffer).toString('utf8'));
        assert.deepEqual(
          poam['plan-of-action-and-milestones']['poam-items'].map((i: { title: string }) => i.title),
          ['No open action'],
        );
        const ajv = new Ajv({ allErrors: false, strict: false });
        addFormats.default(ajv);
        const validate = ajv.compile(
          JSON.parse(fs.readFileSync(new URL('./oscal-schemas/oscal_poam_schema-1.0.6.json', import.meta.url), 'utf8')),
        );
        assert.equal(validate(poam), true, JSON.stringify(validate.errors?.slice(0, 3)));
        // OSCAL asks for at least one item: an empty list is refused.
        poam['plan-of-action-and-milestones']['poam-items'] = [];
        assert.equal(validate(poam), false);
      } finally {
        await store.close();
      }
    });
  });
}
