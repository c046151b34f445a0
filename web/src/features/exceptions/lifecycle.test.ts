import { describe, expect, it } from 'vitest';
import { closingGaps, type ExceptionDetail, timeLeft } from './lifecycle';

describe('timeLeft', () => {
  const now = Date.parse('2026-01-10T12:00:00Z');
  it('counts down to a deadline in the largest unit that reads well', () => {
    expect(timeLeft('2026-01-10T15:20:00Z', now)).toEqual({ text: '3 h 20 min left', overdue: false });
    expect(timeLeft('2026-01-11T14:00:00Z', now)).toEqual({ text: '1 day 2 h left', overdue: false });
    expect(timeLeft('2026-01-25T12:00:00Z', now)).toEqual({ text: '15 days left', overdue: false });
    expect(timeLeft('2026-01-10T12:05:00Z', now)).toEqual({ text: '5 min left', overdue: false });
  });
  it('says how long ago a passed deadline was, as overdue', () => {
    expect(timeLeft('2026-01-08T12:00:00Z', now)).toEqual({ text: '2 days overdue', overdue: true });
    expect(timeLeft('2026-01-10T11:00:00Z', now)).toEqual({ text: '1 h 0 min overdue', overdue: true });
  });
});

describe('closingGaps', () => {
  const base = { rootCause: null, correctiveActions: [], verification: null, lessons: [] } as unknown as ExceptionDetail;
  it('names everything a close still needs', () => {
    expect(closingGaps(base)).toEqual(['a root cause', 'a corrective action', 'an independent verification', 'a lesson learned']);
  });
  it('is empty once the evidence is complete', () => {
    const done = {
      rootCause: { category: 'data', text: 'x' },
      correctiveActions: [{ status: 'completed' }],
      verification: { by: 'u' },
      lessons: [{ id: 'l' }],
    } as unknown as ExceptionDetail;
    expect(closingGaps(done)).toEqual([]);
    expect(closingGaps({ ...done, correctiveActions: [{ status: 'open' }] } as unknown as ExceptionDetail)).toEqual([
      'every corrective action completed',
    ]);
  });
});
