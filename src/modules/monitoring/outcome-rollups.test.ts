// The fairness report reads whole hours from the rollups kept at ingestion and the partial hours at
// a window's edges from the outcomes: it must give exactly what counting the outcomes themselves
// gives, for any window and any mix of model versions and group attributes.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { buildSystem } from '../../../test/factories.js';
import { createTestStore, DIALECTS } from '../../../test/stores.js';
import { systemContext } from '../../context.js';
import type { Store } from '../../db/store.js';
import { fairnessReport } from '../../monitoring/stats/fairness.js';
import { countByGroup } from '../../monitoring/stats/groups.js';
import { ingestDecisionBatch } from '../decisions/decisions.service.js';
import { registerModelVersion } from '../systems/model-versions.service.js';
import { declareFairnessAttributes } from './fairness-declarations.service.js';
import { splitWindow } from './outcome-rollups.js';
import { ingestOutcomeBatch } from './outcomes.service.js';
import { systemFairness } from './reports.service.js';

const inWindow = (at: string, from?: string, to?: string) => (from === undefined || at >= from) && (to === undefined || at < to);

/** Date-times as text, some with offsets or milliseconds, within the days and hours given. */
const dateTimeIn = (days: [number, number], hours: [number, number]) =>
  fc
    .record({
      day: fc.integer({ min: days[0], max: days[1] }),
      hour: fc.integer({ min: hours[0], max: hours[1] }),
      minute: fc.integer({ min: 0, max: 59 }),
      tail: fc.constantFrom(':00.000Z', ':30Z', ':59.999+02:00', ':07-05:00'),
    })
    .map(({ day, hour, minute, tail }) => `2026-11-${day}T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}${tail}`);
const dateTime = dateTimeIn([26, 28], [0, 23]);
/** Where the test's decisions are: few hours, so that most windows cut through an hour that has some. */
const busy = dateTimeIn([27, 27], [9, 12]);
/** A window bound: a date-time, an hour's first 13 characters, or a bare date. */
const boundOf = (times: fc.Arbitrary<string>) =>
  fc.option(
    fc.oneof(
      times,
      times,
      times.map((t) => t.slice(0, 13)),
      times.map((t) => t.slice(0, 10)),
    ),
    { nil: undefined },
  );
const bound = boundOf(dateTime);

test('a window splits into whole buckets and edges that cover it exactly once, and nothing outside it', () => {
  fc.assert(
    fc.property(bound, bound, fc.array(dateTime, { maxLength: 30 }), (from, to, times) => {
      const { buckets, edges } = splitWindow({ from, to });
      for (const at of times) {
        const bucket = at.slice(0, 13);
        const inBuckets =
          (buckets.from === undefined || bucket >= buckets.from) && (buckets.before === undefined || bucket < buckets.before);
        const inEdges = edges.filter((e) => inWindow(at, e.from, e.to)).length;
        assert.equal(Number(inBuckets) + inEdges, inWindow(at, from, to) ? 1 : 0, `${at} in [${from}, ${to})`);
      }
    }),
    { numRuns: 2000 },
  );
});

/** A deterministic generator, so that a failure reproduces. */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

for (const dialect of DIALECTS) {
  describe(`fairness from rollups [${dialect}]`, () => {
    let store: Store;
    const ctx = systemContext('test');
    let systemId: string;
    const rows: Array<{ decidedAt: string; actual: number; predicted: number; attributes: Record<string, string> }> = [];
    const next = random(11);
    const pick = <T>(values: readonly T[]) => values[Math.floor(next() * values.length)];

    before(async () => {
      store = await createTestStore(dialect);
      systemId = (await buildSystem(store)).id;
      const versions: Array<string | null> = [null];
      for (const label of ['v1', 'v2']) {
        const version = await store.transact((trx) =>
          registerModelVersion(trx, { ctx, systemId, input: { label, artifactSha256: label === 'v1' ? 'a'.repeat(64) : 'b'.repeat(64) } }),
        );
        versions.push(version.id);
      }
      await store.transact((trx) =>
        declareFairnessAttributes(trx, {
          ctx,
          systemId,
          attributes: [
            { name: 'sex', values: ['F', 'M'], fairnessOnly: true },
            { name: 'age_band', values: ['18-29', '30-49', '50+'], fairnessOnly: true },
          ],
          rationale: 'Bias monitoring in the test',
        }),
      );
      const times = fc.sample(busy, { numRuns: 60, seed: 7 });
      // Three batches, so that the later ones add to rollup cells the earlier ones created.
      for (let batch = 0; batch < 3; batch++) {
        const decisions = Array.from({ length: 300 }, () => ({
          decisionId: randomUUID(),
          systemId,
          decidedAt: pick(times),
          modelVersionId: pick(versions),
          inputDigest: 'a'.repeat(64),
          output: { approved: true },
        }));
        await store.transact((trx) => ingestDecisionBatch(trx, { ctx, records: decisions }));
        const outcomes = decisions.map((d) => {
          // No prototype: the straightforward count reads attributes[name], 'constructor' included.
          const attributes: Record<string, string> = Object.create(null);
          if (next() < 0.8) attributes.sex = pick(['F', 'M']);
          if (next() < 0.7) attributes.age_band = pick(['18-29', '30-49', '50+']);
          const outcome = { actual: next() < 0.4 ? 1 : 0, predicted: next() < 0.5 ? 1 : 0 };
          rows.push({ decidedAt: d.decidedAt, ...outcome, attributes });
          return {
            systemId,
            decisionId: d.decisionId,
            ...outcome,
            knownAt: '2026-11-29T10:00:00.000Z',
            ...(Object.keys(attributes).length > 0 ? { groups: attributes } : {}),
          };
        });
        await store.transact((trx) => ingestOutcomeBatch(trx, { ctx, records: outcomes }));
      }
    });
    after(() => store.close());

    test('concurrent batches of one system adding to the same rollup cells all commit, and every outcome is counted', async () => {
      const other = (await buildSystem(store)).id;
      const batches = await Promise.all(
        Array.from({ length: 4 }, async () => {
          const decisions = Array.from({ length: 20 }, () => ({
            decisionId: randomUUID(),
            systemId: other,
            decidedAt: '2026-11-27T10:30:00.000Z',
            inputDigest: 'a'.repeat(64),
            output: { approved: true },
          }));
          await store.transact((trx) => ingestDecisionBatch(trx, { ctx, records: decisions }));
          return decisions.map((d, i) => ({
            systemId: other,
            decisionId: d.decisionId,
            actual: i % 2,
            predicted: 1,
            knownAt: '2026-11-29T10:00:00.000Z',
          }));
        }),
      );
      // Every batch adds to the same two cells (one hour, no version, no groups) at once.
      await Promise.all(batches.map((records) => store.transact((trx) => ingestOutcomeBatch(trx, { ctx, records }))));
      const report = await systemFairness(store.db, { ctx, systemId: other, groupBy: ['sex'], window: {} });
      assert.deepEqual(
        report.groups.map((g) => [g.attributes, g.counts]),
        [[{ sex: null }, { tp: 40, fp: 40, tn: 0, fn: 0 }]],
      );
    });

    test('the report from rollups equals counting the outcomes themselves, for any window and grouping', async () => {
      const windows = [
        {},
        { from: '2026-11-27T10:00:00.000Z' },
        { to: '2026-11-27T10:00:00.000Z' },
        { from: '2026-11-26T13:17:00Z', to: '2026-11-28T02:45:30.5Z' },
        { from: '2026-11-27T10', to: '2026-11-27T11' },
        { from: '2026-11-27T10:15:00Z', to: '2026-11-27T10:45:00Z' },
        { from: '2026-11-27', to: '2026-11-28' },
        { from: '2026-11-28T00:00:00Z', to: '2026-11-27T00:00:00Z' },
        ...fc.sample(fc.record({ from: boundOf(busy), to: boundOf(busy) }, { requiredKeys: [] }), { numRuns: 30, seed: 3 }),
      ];
      for (const window of windows) {
        for (const groupBy of [['sex'], ['age_band'], ['sex', 'age_band'], ['constructor'], ['Bad-Name']]) {
          const report = await systemFairness(store.db, { ctx, systemId, groupBy, window });
          const inside = rows.filter((r) => inWindow(r.decidedAt, window.from, window.to));
          const expected = fairnessReport(countByGroup(inside, groupBy));
          assert.deepEqual(report, { groupBy, ...expected }, `${JSON.stringify(window)} by ${groupBy}`);
        }
      }
      // Not vacuous: the whole report counts every outcome.
      const all = await systemFairness(store.db, { ctx, systemId, groupBy: ['sex'], window: {} });
      assert.equal(
        all.groups.reduce((n, g) => n + g.counts.tp + g.counts.fp + g.counts.tn + g.counts.fn, 0),
        900,
      );
    });
  });
}
