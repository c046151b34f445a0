// Property tests of the lifecycle state machine (pure): random walks never skip a step, never
// leave a final state, and reach closed only from verifying.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { allowedTransitions, dueAtFor, FINAL_STATUSES, OPEN_STATUSES, rootCauseKey } from './exceptions.policy.js';
import { EXCEPTION_STATUSES, type ExceptionStatus } from './exceptions.tables.js';

const FORWARD: ExceptionStatus[] = ['open', 'triaged', 'investigating', 'remediating', 'verifying', 'closed'];

describe('exception lifecycle (pure)', () => {
  test('random walks respect the lifecycle', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...EXCEPTION_STATUSES), { maxLength: 40 }), (attempts) => {
        let status: ExceptionStatus = 'open';
        for (const to of attempts) {
          const allowed = allowedTransitions(status);
          if (!allowed.includes(to)) continue;
          assert.ok(!FINAL_STATUSES.includes(status), 'a final state never changes');
          if (to === 'closed') assert.equal(status, 'verifying', 'closed only from verifying');
          if (FORWARD.includes(to) && FORWARD.includes(status) && to !== 'remediating') {
            assert.equal(FORWARD.indexOf(to), FORWARD.indexOf(status) + 1, 'no step is skipped');
          }
          status = to;
        }
      }),
    );
  });

  test('rejected and duplicate are reachable from every open state and from no final one', () => {
    for (const s of OPEN_STATUSES) assert.ok(allowedTransitions(s).includes('rejected') && allowedTransitions(s).includes('duplicate'));
    for (const s of FINAL_STATUSES) assert.deepEqual(allowedTransitions(s), []);
  });

  test('due dates by severity', () => {
    const at = '2026-01-01T00:00:00.000Z';
    assert.equal(dueAtFor('critical', at), '2026-01-02T00:00:00.000Z');
    assert.equal(dueAtFor('high', at), '2026-01-04T00:00:00.000Z');
    assert.equal(dueAtFor('medium', at), '2026-01-15T00:00:00.000Z');
    assert.equal(dueAtFor('low', at), '2026-01-31T00:00:00.000Z');
  });

  test('root-cause keys ignore case, spacing and punctuation but not words', () => {
    assert.equal(rootCauseKey('Data  Validation', 'Missing age-check.'), rootCauseKey('data validation', 'missing age check'));
    assert.notEqual(rootCauseKey('Data validation', 'Missing age check'), rootCauseKey('Data validation', 'Missing income check'));
  });
});
