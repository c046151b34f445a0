// Table-driven tests of the pure deadline rules: one row per regime and per special case.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { addOneMonth, computeIncidentDeadlines, DEADLINE_KEYS, type IncidentFacts, isOnTime, RULE_KEYS } from './incident-deadlines.js';

const AWARE = '2026-03-10T08:00:00.000Z';
const base: IncidentFacts = {
  awareAt: AWARE,
  harmCategories: [],
  widespreadInfringement: false,
  criticalInfrastructureDisruption: false,
  death: false,
  personalDataBreach: false,
  doraMajor: false,
  doraClassifiedAt: null,
};

const cases: Array<{ name: string; facts: Partial<IncidentFacts>; expected: Record<string, string>; provisional?: string[] }> = [
  { name: 'no reportable harm: nothing due', facts: {}, expected: {} },
  {
    name: 'AI Act serious incident (health): 15 days',
    facts: { harmCategories: ['health_safety'] },
    expected: { ai_act_art73: '2026-03-25T08:00:00.000Z' },
  },
  {
    name: 'AI Act fundamental rights: 15 days',
    facts: { harmCategories: ['fundamental_rights'] },
    expected: { ai_act_art73: '2026-03-25T08:00:00.000Z' },
  },
  {
    name: 'AI Act harm to property or the environment: 15 days',
    facts: { harmCategories: ['property_environment'] },
    expected: { ai_act_art73: '2026-03-25T08:00:00.000Z' },
  },
  { name: 'AI Act death: 10 days', facts: { death: true }, expected: { ai_act_art73: '2026-03-20T08:00:00.000Z' } },
  {
    name: 'AI Act death as a harm category: 10 days',
    facts: { harmCategories: ['death'] },
    expected: { ai_act_art73: '2026-03-20T08:00:00.000Z' },
  },
  {
    name: 'AI Act widespread infringement: 2 days',
    facts: { widespreadInfringement: true },
    expected: { ai_act_art73: '2026-03-12T08:00:00.000Z' },
  },
  {
    name: 'AI Act critical infrastructure disruption: 2 days',
    facts: { harmCategories: ['critical_infrastructure'] },
    expected: { ai_act_art73: '2026-03-12T08:00:00.000Z' },
  },
  {
    name: 'AI Act death and widespread: the shorter clock (2 days) wins',
    facts: { death: true, widespreadInfringement: true },
    expected: { ai_act_art73: '2026-03-12T08:00:00.000Z' },
  },
  {
    name: 'GDPR personal data breach: 72 hours',
    facts: { personalDataBreach: true },
    expected: { gdpr_art33: '2026-03-13T08:00:00.000Z' },
  },
  {
    name: 'DORA classified 2 h after awareness: initial 4 h after classification',
    facts: { doraMajor: true, doraClassifiedAt: '2026-03-10T10:00:00.000Z' },
    expected: {
      dora_initial: '2026-03-10T14:00:00.000Z',
      dora_intermediate: '2026-03-13T14:00:00.000Z',
      dora_final: '2026-04-13T14:00:00.000Z',
    },
    provisional: ['dora_intermediate', 'dora_final'],
  },
  {
    name: 'DORA classified 22 h after awareness: initial capped at 24 h after awareness',
    facts: { doraMajor: true, doraClassifiedAt: '2026-03-11T06:00:00.000Z' },
    expected: {
      dora_initial: '2026-03-11T08:00:00.000Z',
      dora_intermediate: '2026-03-14T08:00:00.000Z',
      dora_final: '2026-04-14T08:00:00.000Z',
    },
    provisional: ['dora_intermediate', 'dora_final'],
  },
  {
    name: 'DORA classified exactly 24 h after awareness: initial due at that moment (the 24 h cap, not 4 h later)',
    facts: { doraMajor: true, doraClassifiedAt: '2026-03-11T08:00:00.000Z' },
    expected: {
      dora_initial: '2026-03-11T08:00:00.000Z',
      dora_intermediate: '2026-03-14T08:00:00.000Z',
      dora_final: '2026-04-14T08:00:00.000Z',
    },
    provisional: ['dora_intermediate', 'dora_final'],
  },
  {
    name: 'DORA classified 30 h after awareness: 4 h after classification',
    facts: { doraMajor: true, doraClassifiedAt: '2026-03-11T14:00:00.000Z' },
    expected: {
      dora_initial: '2026-03-11T18:00:00.000Z',
      dora_intermediate: '2026-03-14T18:00:00.000Z',
      dora_final: '2026-04-14T18:00:00.000Z',
    },
    provisional: ['dora_intermediate', 'dora_final'],
  },
  {
    name: 'DORA not yet classified: 24 h after awareness, provisional',
    facts: { harmCategories: ['ict_major'] },
    expected: {
      dora_initial: '2026-03-11T08:00:00.000Z',
      dora_intermediate: '2026-03-14T08:00:00.000Z',
      dora_final: '2026-04-14T08:00:00.000Z',
    },
    provisional: ['dora_initial', 'dora_intermediate', 'dora_final'],
  },
  {
    name: 'DORA after filing: intermediate 72 h after the initial filing, final 1 month after the latest intermediate',
    facts: {
      doraMajor: true,
      doraClassifiedAt: '2026-03-10T09:00:00.000Z',
      doraInitialFiledAt: '2026-03-10T11:30:00.000Z',
      doraLastIntermediateFiledAt: '2026-03-31T09:00:00.000Z',
    },
    expected: {
      dora_initial: '2026-03-10T13:00:00.000Z',
      dora_intermediate: '2026-03-13T11:30:00.000Z',
      dora_final: '2026-04-30T09:00:00.000Z',
    },
  },
  {
    name: 'all three regimes at once',
    facts: { harmCategories: ['health_safety', 'personal_data_breach'], doraMajor: true, doraClassifiedAt: AWARE },
    expected: {
      ai_act_art73: '2026-03-25T08:00:00.000Z',
      gdpr_art33: '2026-03-13T08:00:00.000Z',
      dora_initial: '2026-03-10T12:00:00.000Z',
      dora_intermediate: '2026-03-13T12:00:00.000Z',
      dora_final: '2026-04-13T12:00:00.000Z',
    },
    provisional: ['dora_intermediate', 'dora_final'],
  },
];

describe('incident reporting deadlines (pure)', () => {
  for (const c of cases) {
    test(c.name, () => {
      const deadlines = computeIncidentDeadlines({ ...base, ...c.facts });
      assert.deepEqual(Object.fromEntries(deadlines.map((d) => [d.key, d.dueAt])), c.expected);
      assert.deepEqual(
        deadlines.filter((d) => d.provisional).map((d) => d.key),
        c.provisional ?? [],
      );
      const dues = deadlines.map((d) => d.dueAt);
      assert.deepEqual(dues, [...dues].sort(), 'earliest first');
      for (const d of deadlines) {
        assert.ok(d.articles.length > 0, `${d.key} cites articles`);
        for (const rule of d.rules) assert.ok(RULE_KEYS.includes(rule), `${rule} is in incident-rules.json`);
      }
    });
  }

  test('the 2-day AI Act clock cites Art. 73(3), the death clock Art. 73(4)', () => {
    const [two] = computeIncidentDeadlines({ ...base, widespreadInfringement: true });
    assert.ok(two.articles.includes('Art. 73(3)'));
    const [ten] = computeIncidentDeadlines({ ...base, death: true });
    assert.ok(ten.articles.includes('Art. 73(4)'));
  });

  const months: Array<[string, string]> = [
    ['2026-01-31T10:00:00.000Z', '2026-02-28T10:00:00.000Z'],
    ['2028-01-31T10:00:00.000Z', '2028-02-29T10:00:00.000Z'],
    ['2026-12-15T23:00:00.000Z', '2027-01-15T23:00:00.000Z'],
    ['2026-03-31T00:00:00.000Z', '2026-04-30T00:00:00.000Z'],
  ];
  for (const [from, to] of months) test(`one month after ${from} is ${to}`, () => assert.equal(addOneMonth(from), to));

  test('on time means at or before the deadline', () => {
    assert.equal(isOnTime('2026-03-13T08:00:00.000Z', '2026-03-13T08:00:00.000Z'), true);
    assert.equal(isOnTime('2026-03-13T08:00:00.001Z', '2026-03-13T08:00:00.000Z'), false);
  });
});

describe('the basis of each DORA deadline says why it falls when it does', () => {
  const basisOf = (facts: Partial<IncidentFacts>) =>
    Object.fromEntries(computeIncidentDeadlines({ ...base, doraMajor: true, ...facts }).map((d) => [d.key, d.basis]));
  const HOURS = (h: number) => new Date(Date.parse(AWARE) + h * 3_600_000).toISOString();

  test('not yet classified: at most 24 h from awareness; later reports counted from reports not yet submitted', () => {
    assert.deepEqual(basisOf({}), {
      dora_initial: 'at most 24 hours after awareness; not yet classified, so 4 hours after classification may come earlier',
      dora_intermediate: '72 hours after the initial notification (not yet submitted)',
      dora_final: '1 month after the intermediate report (not yet submitted)',
    });
  });

  test('classified early: 4 h after classification; classified late in the first day: the 24 h cap', () => {
    assert.equal(basisOf({ doraClassifiedAt: HOURS(2) }).dora_initial, '4 hours after classification as major');
    assert.equal(
      basisOf({ doraClassifiedAt: HOURS(22) }).dora_initial,
      'at most 24 hours after awareness (earlier than 4 hours after classification)',
    );
    assert.equal(basisOf({ doraClassifiedAt: HOURS(30) }).dora_initial, '4 hours after classification as major');
  });

  test('once reports are submitted, the next deadlines count from them', () => {
    const filed = basisOf({ doraClassifiedAt: HOURS(2), doraInitialFiledAt: HOURS(5), doraLastIntermediateFiledAt: HOURS(60) });
    assert.equal(filed.dora_intermediate, '72 hours after the initial notification was submitted');
    assert.equal(filed.dora_final, '1 month after the latest intermediate report');
  });
});

test('DEADLINE_KEYS names every deadline the rules can produce, and nothing else', () => {
  const all = computeIncidentDeadlines({
    ...base,
    death: true,
    personalDataBreach: true,
    doraMajor: true,
    harmCategories: ['health_safety'],
  });
  assert.deepEqual([...DEADLINE_KEYS].sort(), all.map((d) => d.key).sort());
});
