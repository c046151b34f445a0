// The framework catalogs, the crosswalks and the one event -> control mapping: complete, resolving,
// applied on read with the facts where the law depends on them; and over HTTP on both databases.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp, type TestUser } from '../../test/app.js';
import { buildSystem } from '../../test/factories.js';
import { DIALECTS, ledgerSize } from '../../test/stores.js';
import { systemContext } from '../context.js';
import { EVENT_TYPES, isEventType } from '../ledger/event-types.js';
import { appendEvent } from '../ledger/ledger.service.js';
import { HISTORY_KINDS } from '../ledger/system-index.js';
import {
  CROSSWALK_LINKS,
  CROSSWALK_SOURCES,
  catalogOf,
  controlsOf,
  crosswalkOf,
  FRAMEWORK_IDS,
  findControl,
  isControlId,
  normaliseControlId,
} from './catalog.js';
import { controlsFor, controlsForRecordKind, EVENT_CONTROLS, eventTypesEvidencing, recordedControls } from './event-controls.js';
import { withControls } from './evidence.js';

const SRC = path.resolve(import.meta.dirname, '..');
const ids = (framework: (typeof FRAMEWORK_IDS)[number], kind: string) =>
  controlsOf(framework)
    .filter((c) => c.kind === kind)
    .map((c) => c.id);

describe('catalogs', () => {
  test('ISO/IEC 42001: clauses 4-10 and all 38 Annex A controls, each with a description of our own', () => {
    const controls = ids('iso42001', 'control');
    assert.equal(controls.length, 38);
    const area = (prefix: string, last: number, first = 2) => Array.from({ length: last - first + 1 }, (_, i) => `${prefix}.${first + i}`);
    assert.deepEqual(controls, [
      ...area('A.2', 4),
      ...area('A.3', 3),
      ...area('A.4', 6),
      ...area('A.5', 5),
      ...area('A.6.1', 3),
      ...area('A.6.2', 8),
      ...area('A.7', 6),
      ...area('A.8', 5),
      ...area('A.9', 4),
      ...area('A.10', 4),
    ]);
    assert.equal(findControl('iso42001:A.9.2')?.title, 'Processes for responsible use of AI systems');
    const clauses = ids('iso42001', 'clause');
    for (const top of ['4', '5', '6', '7', '8', '9', '10']) assert.ok(clauses.includes(top), top);
    for (const sub of ['6.1.1', '6.1.2', '6.1.3', '6.1.4', '7.5.3', '9.2.2', '9.3.3', '10.2']) assert.ok(clauses.includes(sub), sub);
    assert.ok(controlsOf('iso42001').every((c) => c.description.length > 20));
    assert.match(catalogOf('iso42001').license, /own paraphrases/);
  });

  test('NIST AI RMF 1.0: 4 functions, 19 categories, 72 subcategories (GOVERN 19, MAP 18, MEASURE 22, MANAGE 13), attributed', () => {
    assert.deepEqual(ids('nist-ai-rmf', 'function'), ['GOVERN', 'MAP', 'MEASURE', 'MANAGE']);
    assert.equal(ids('nist-ai-rmf', 'category').length, 19);
    const subcategories = ids('nist-ai-rmf', 'subcategory');
    assert.equal(subcategories.length, 72);
    const perFunction = (f: string) => subcategories.filter((id) => id.startsWith(`${f}-`)).length;
    assert.deepEqual(['GOVERN', 'MAP', 'MEASURE', 'MANAGE'].map(perFunction), [19, 18, 22, 13]);
    assert.match(findControl('nist-ai-rmf:GOVERN-1.1')?.description ?? '', /^Legal and regulatory requirements involving AI/);
    assert.match(catalogOf('nist-ai-rmf').attribution, /NIST AI 100-1/);
  });

  test('every entry has a parent that exists in its own catalog, and ids are unique', () => {
    for (const framework of FRAMEWORK_IDS) {
      const entries = controlsOf(framework);
      assert.equal(new Set(entries.map((c) => c.id)).size, entries.length, framework);
      for (const c of entries) if (c.parent !== undefined) assert.ok(isControlId(`${framework}:${c.parent}`), c.controlId);
    }
  });

  test('EU AI Act: each provision has its own dates of application, with the 2026 amendment', () => {
    const act = controlsOf('eu-ai-act');
    assert.ok(act.every((c) => (c.applies ?? []).length > 0 && c.applies?.every((a) => /^\d{4}-\d{2}-\d{2}$/.test(a.from))));
    const from = (id: string, scope: string) => findControl(`eu-ai-act:${id}`)?.applies?.find((a) => a.scope === scope);
    assert.equal(from('art-5', 'all')?.from, '2025-02-02');
    assert.equal(from('art-50', 'all')?.from, '2026-08-02');
    assert.equal(from('art-53', 'all')?.from, '2025-08-02');
    for (const article of ['art-9', 'art-14', 'art-26', 'art-27', 'art-73']) {
      assert.deepEqual(from(article, 'high-risk-annex-iii'), {
        scope: 'high-risk-annex-iii',
        from: '2027-12-02',
        originallyFrom: '2026-08-02',
        amendedBy: 'Regulation (EU) 2026/1744',
      });
      assert.equal(from(article, 'high-risk-annex-i')?.from, '2028-08-02');
    }
    for (const framework of ['gdpr', 'dora'] as const) assert.ok(controlsOf(framework).every((c) => c.applies?.[0].from));
    assert.ok(isControlId('gdpr:art-33') && isControlId('dora:art-19') && isControlId('gdpr:art-22'));
  });

  test('crosswalk links resolve to existing control ids, and each is found from both of its ends', () => {
    assert.ok(CROSSWALK_LINKS.length > 100);
    for (const link of CROSSWALK_LINKS) {
      assert.ok(isControlId(link.from), `from ${link.from}`);
      assert.ok(isControlId(link.to), `to ${link.to}`);
      assert.ok(CROSSWALK_SOURCES[link.source], `source ${link.source}`);
      assert.ok(crosswalkOf(link.from).includes(link) && crosswalkOf(link.to).includes(link), `${link.from} <-> ${link.to}`);
    }
    const pairs = new Set(CROSSWALK_LINKS.map((l) => [l.from, l.to].sort().join(' ')));
    assert.equal(pairs.size, CROSSWALK_LINKS.length, 'no link twice');
    const frameworksLinked = new Set(
      CROSSWALK_LINKS.map((l) =>
        [l.from, l.to]
          .map((id) => id.split(':')[0])
          .sort()
          .join('<>'),
      ),
    );
    for (const pair of ['iso42001<>nist-ai-rmf', 'eu-ai-act<>iso42001', 'eu-ai-act<>gdpr', 'dora<>eu-ai-act', 'dora<>gdpr']) {
      assert.ok(frameworksLinked.has(pair), pair);
    }
  });

  test('legacy tags are normalised to canonical ids; a tag naming no control is not', () => {
    const cases: Array<[string, string | null]> = [
      ['euaiact:Art.14', 'eu-ai-act:art-14'],
      ['eu-ai-act:Art.73', 'eu-ai-act:art-73'],
      ['euaiact:Art.11', 'eu-ai-act:art-11'],
      ['euaiact:AnnexIV', 'eu-ai-act:annex-iv'],
      ['euaiact:Art.86', 'eu-ai-act:art-86'],
      ['eu-ai-act:Article 26(6)', 'eu-ai-act:art-26'],
      ['gdpr:Art.33', 'gdpr:art-33'],
      ['gdpr:Art.22', 'gdpr:art-22'],
      ['dora:Art.19', 'dora:art-19'],
      ['iso42001:A.9.2', 'iso42001:A.9.2'],
      ['iso42001:B.6.2.8', 'iso42001:A.6.2.8'],
      ['iso42001:10.2', 'iso42001:10.2'],
      ['iso42001:A.6', 'iso42001:A.6'],
      ['nist-ai-rmf:GOVERN 1.1', 'nist-ai-rmf:GOVERN-1.1'],
      ['nist:measure 2.11', null],
      ['ai-rmf:MEASURE 2.11', 'nist-ai-rmf:MEASURE-2.11'],
      ['eu-ai-act:art-999', null],
      ['iso42001:A.11.1', null],
      ['sox:404', null],
      ['no-colon', null],
    ];
    for (const [tag, expected] of cases) assert.equal(normaliseControlId(tag), expected, tag);
  });
});

describe('the event -> control mapping', () => {
  test('every registered event type maps to at least one control, every control it names exists, and nothing else is mapped', () => {
    assert.deepEqual(Object.keys(EVENT_CONTROLS).sort(), [...EVENT_TYPES].sort());
    for (const type of EVENT_TYPES) {
      const rule = EVENT_CONTROLS[type];
      assert.ok(rule.always.length > 0, `${type} evidences nothing`);
      for (const id of [...rule.always, ...(rule.when ?? []).flatMap((r) => r.controls)]) assert.ok(isControlId(id), `${type}: ${id}`);
      assert.ok(controlsFor({ type }).length > 0, type);
    }
  });

  test('every record kind of a system history evidences controls', () => {
    for (const kind of HISTORY_KINDS) assert.ok(controlsForRecordKind(kind).length > 0, kind);
    assert.ok(controlsForRecordKind('incident').includes('gdpr:art-33'));
  });

  test('every event type the code appends is registered (a scan of the append calls in src)', () => {
    const files = (function walk(dir: string): string[] {
      return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const full = path.join(dir, e.name);
        if (e.isDirectory()) return walk(full);
        return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [full] : [];
      });
    })(SRC);
    const literals: string[] = [];
    const prefixes: string[] = [];
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      for (const call of text.matchAll(/appendEvents?\(/g)) {
        const typeExpression = /\btype:\s*([^\n]*)/.exec(text.slice(call.index, call.index + 400))?.[1] ?? '';
        for (const m of typeExpression.matchAll(/'([a-z_]+\.[a-z_]+)'/g)) literals.push(m[1]);
        for (const m of typeExpression.matchAll(/`([a-z_]+\.)\$\{/g)) prefixes.push(m[1]);
      }
    }
    assert.ok(literals.length > 50, `found only ${literals.length} event types`);
    assert.deepEqual(
      literals.filter((t) => !isEventType(t)),
      [],
    );
    for (const prefix of prefixes)
      assert.ok(
        EVENT_TYPES.some((t) => t.startsWith(prefix)),
        prefix,
      );
  });

  test('an incident evidences GDPR Art. 33 only when a personal data breach, DORA Art. 19 only when major, AI Act Art. 73 only when serious', () => {
    const incident = (after: Record<string, unknown>) => controlsFor({ type: 'incident.classified', after });
    const plain = incident({ harm_categories: '[]', personal_data_breach: 0, dora_major: 0, death: 0 });
    assert.ok(plain.includes('iso42001:10.2') && plain.includes('iso42001:A.8.4'));
    for (const id of ['gdpr:art-33', 'gdpr:art-34', 'dora:art-19', 'eu-ai-act:art-73']) assert.ok(!plain.includes(id), id);

    const breach = incident({ harm_categories: '[]', personal_data_breach: 1, dora_major: 0 });
    assert.ok(breach.includes('gdpr:art-33'));
    assert.ok(!breach.includes('dora:art-19') && !breach.includes('eu-ai-act:art-73'));
    assert.ok(incident({ harm_categories: '["personal_data_breach"]' }).includes('gdpr:art-33'));

    const major = incident({ harm_categories: '[]', personal_data_breach: 0, dora_major: 1 });
    assert.ok(major.includes('dora:art-19') && !major.includes('gdpr:art-33'));
    assert.ok(incident({ harm_categories: '["ict_major"]' }).includes('dora:art-19'));

    assert.ok(incident({ harm_categories: '["death"]' }).includes('eu-ai-act:art-73'));
    assert.ok(incident({ harm_categories: '[]', critical_infrastructure_disruption: 1 }).includes('eu-ai-act:art-73'));

    const report = (deadlineKey: string) => controlsFor({ type: 'incident.report_filed', after: { deadlineKey } });
    assert.ok(report('gdpr_art33').includes('gdpr:art-33') && !report('gdpr_art33').includes('dora:art-19'));
    assert.ok(report('dora_initial').includes('dora:art-19') && !report('dora_initial').includes('gdpr:art-33'));
    assert.ok(report('ai_act_art73').includes('eu-ai-act:art-73'));

    const byFact = eventTypesEvidencing('gdpr:art-33');
    assert.deepEqual(
      byFact.map((e) => e.eventType),
      ['incident.classified', 'incident.report_filed', 'incident.report_filed_late'],
    );
    assert.ok(byFact.every((e) => e.fact !== null));
  });

  test('on read, the computed controls replace the tags an older event was written with; those stay visible, normalised', () => {
    const old = {
      seq: 1,
      eventId: 'e',
      type: 'incident.classified',
      recordedAt: '2026-01-01T00:00:00.000Z',
      leafHash: '00',
      event: {
        type: 'incident.classified',
        after: { harm_categories: '[]', personal_data_breach: 0, dora_major: 0 },
        controls: ['iso42001:10.2', 'iso42001:A.8.4', 'eu-ai-act:Art.73', 'gdpr:Art.33', 'dora:Art.19'],
      },
    };
    const read = withControls(old);
    assert.ok(!read.controls.includes('gdpr:art-33') && !read.controls.includes('dora:art-19'));
    assert.deepEqual(read.recordedControls, ['dora:art-19', 'eu-ai-act:art-73', 'gdpr:art-33', 'iso42001:10.2', 'iso42001:A.8.4']);
    // A type no longer written keeps what it was tagged with, normalised; unknown tags stay as written.
    assert.deepEqual(controlsFor({ type: 'retired.kind', controls: ['euaiact:Art.14', 'iso42001:A.9.2'] }), [
      'eu-ai-act:art-14',
      'iso42001:A.9.2',
    ]);
    assert.deepEqual(recordedControls({ type: 'x', controls: ['euaiact:Art.14', 'custom:thing'] }), ['custom:thing', 'eu-ai-act:art-14']);
  });
});

for (const dialect of DIALECTS) {
  describe(`frameworks over HTTP [${dialect}]`, () => {
    let t: TestApp;
    let auditor: TestUser;
    let contributor: TestUser;
    let resolver: TestUser;
    let systemId: string;
    let plainIncident: string;
    let breachIncident: string;
    let majorIncident: string;

    async function openIncident(incident: Record<string, unknown>): Promise<string> {
      const res = await t.call(contributor, 'POST', '/api/v1/incidents', {
        systemId,
        title: 'Chatbot answered with another customer’s order',
        description: 'A prompt returned an order belonging to someone else.',
        severity: 'high',
        raisedBy: { type: 'alert', ref: 'monitor:dlp-17' },
        ownerId: contributor.id,
        resolverId: resolver.id,
        incident,
      });
      assert.equal(res.statusCode, 201, res.body);
      return res.json().id;
    }

    before(async () => {
      t = await createTestApp(dialect);
      auditor = await t.user(['auditor'], { scopes: ['read'] });
      contributor = await t.user(['contributor']);
      resolver = await t.user(['contributor']);
      systemId = (await buildSystem(t.store, { accountableOwnerId: contributor.id })).id;
      plainIncident = await openIncident({ harmCategories: [] });
      breachIncident = await openIncident({ personalDataBreach: true });
      majorIncident = await openIncident({ doraMajor: true });
    });
    after(() => t.close());

    const events = async (query: string) => {
      const res = await t.call(auditor, 'GET', `/api/v1/ledger/events?${query}`);
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as { items: Array<{ type: string; event: { subject: { id: string } }; controls: string[] }>; total: number };
    };

    test('GET /frameworks lists the five catalogs with their counts; controls are paged, with crosswalk and evidence', async () => {
      const before = await ledgerSize(t.store);
      const list = (await t.call(auditor, 'GET', '/api/v1/frameworks')).json();
      assert.deepEqual(
        list.items.map((f: { id: string }) => f.id),
        ['iso42001', 'nist-ai-rmf', 'eu-ai-act', 'gdpr', 'dora'],
      );
      const nist = list.items.find((f: { id: string }) => f.id === 'nist-ai-rmf');
      assert.deepEqual(nist.kinds, { function: 4, category: 19, subcategory: 72 });

      const page = (await t.call(auditor, 'GET', '/api/v1/frameworks/iso42001/controls?kind=control&limit=10&offset=30')).json();
      assert.equal(page.total, 38);
      assert.equal(page.items.length, 8);
      const a92 = (await t.call(auditor, 'GET', '/api/v1/frameworks/iso42001/controls?kind=control&limit=500'))
        .json()
        .items.find((c: { controlId: string }) => c.controlId === 'iso42001:A.9.2');
      assert.equal(a92.parent, 'iso42001:A.9');
      assert.ok(a92.crosswalk.some((l: { controlId: string }) => l.controlId === 'eu-ai-act:art-26'));
      assert.ok(a92.evidencedBy.some((e: { eventType: string; fact: null }) => e.eventType === 'approval.granted' && e.fact === null));
      // A link is found from its other end too, with the relationship seen from there.
      const art26 = (await t.call(auditor, 'GET', '/api/v1/frameworks/eu-ai-act/controls?limit=500'))
        .json()
        .items.find((c: { controlId: string }) => c.controlId === 'eu-ai-act:art-26');
      assert.ok(art26.crosswalk.some((l: { controlId: string }) => l.controlId === 'iso42001:A.9.2'));
      assert.equal(art26.applies.find((a: { scope: string }) => a.scope === 'high-risk-annex-iii').from, '2027-12-02');
      assert.equal(await ledgerSize(t.store), before, 'reading the catalogs writes nothing');
    });

    test('an unknown framework is not_found; a caller without credentials is refused', async () => {
      const before = await ledgerSize(t.store);
      const missing = await t.call(auditor, 'GET', '/api/v1/frameworks/sox/controls');
      assert.equal(missing.statusCode, 404);
      assert.equal(missing.json().error.code, 'not_found');
      const anonymous = await t.call(null, 'GET', '/api/v1/frameworks');
      assert.equal(anonymous.statusCode, 401);
      assert.equal(anonymous.json().error.code, 'unauthenticated');
      assert.equal(await ledgerSize(t.store), before);
    });

    test('GET /ledger/events?control= lists the events that evidence the control, by their facts', async () => {
      const subjects = (page: Awaited<ReturnType<typeof events>>) => page.items.map((e) => e.event.subject.id);

      const gdpr = await events('control=gdpr:art-33');
      assert.deepEqual(subjects(gdpr), [breachIncident]);
      assert.equal(gdpr.total, 1);
      assert.ok(gdpr.items.every((e) => e.type === 'incident.classified' && e.controls.includes('gdpr:art-33')));

      const dora = await events('control=dora:art-19');
      assert.deepEqual(subjects(dora), [majorIncident]);

      // Unconditional: every incident is a nonconformity (ISO 42001 10.2), and so is every exception opened.
      const nonconformity = await events(`control=iso42001:10.2&type=incident.classified`);
      assert.deepEqual(subjects(nonconformity).sort(), [plainIncident, breachIncident, majorIncident].sort());
      const all = await events('control=iso42001:10.2&limit=1&offset=1');
      assert.equal(all.items.length, 1);
      assert.equal(all.total, 6, 'three exception.opened and three incident.classified');

      // Paging over a fact-dependent control: the page asked for, the total of every match.
      const second = await events('control=nist-ai-rmf:MANAGE-4.3&type=incident.classified&limit=2&offset=2');
      assert.equal(second.total, 3);
      assert.equal(second.items.length, 1);

      // A legacy spelling names the same control; a type that cannot evidence it gives nothing.
      assert.deepEqual(subjects(await events('control=gdpr:Art.33')), [breachIncident]);
      assert.equal((await events('control=gdpr:art-33&type=system.created')).total, 0);
      // Every listed event carries its computed controls, and new leaves carry no tags.
      const listed = await events('limit=500');
      assert.ok(listed.items.every((e) => e.controls.length > 0 && !('controls' in e.event)));
    });

    test('a filter by a control that does not exist is refused with validation_failed, writing nothing', async () => {
      const before = await ledgerSize(t.store);
      const res = await t.call(auditor, 'GET', '/api/v1/ledger/events?control=gdpr:art-999');
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().error.code, 'validation_failed');
      assert.equal(res.json().error.details.field, 'control');
      assert.equal(await ledgerSize(t.store), before);
    });

    test('the append path refuses an event type that is not registered, writing nothing', async () => {
      const before = await ledgerSize(t.store);
      await assert.rejects(
        t.store.transact((trx) =>
          appendEvent(trx, systemContext('t'), { type: 'system.invented', subject: { type: 'ai_system', id: systemId } }),
        ),
        /not registered/,
      );
      assert.equal(await ledgerSize(t.store), before);
    });
  });
}
