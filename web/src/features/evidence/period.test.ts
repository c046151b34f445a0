// The export dialog's period: local days to the API's instants, the last day included whole.
import { describe, expect, it } from 'vitest';
import { periodOf } from './period';

describe('periodOf', () => {
  it("starts at the first day and ends after the whole last day, in the viewer's zone", () => {
    expect(periodOf('2026-01-10', '2026-01-12')).toEqual({
      from: new Date(2026, 0, 10).toISOString(),
      to: new Date(2026, 0, 13).toISOString(),
    });
  });

  it('leaves out what was not picked, and crosses a month end', () => {
    expect(periodOf('', '')).toEqual({});
    expect(periodOf('', '2026-01-31')).toEqual({ to: new Date(2026, 1, 1).toISOString() });
    expect(periodOf('2026-03-01', '')).toEqual({ from: new Date(2026, 2, 1).toISOString() });
  });
});
