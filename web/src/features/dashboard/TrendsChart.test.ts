import { describe, expect, it } from 'vitest';
import { trendColumns } from './TrendsChart';

describe("the trends chart's columns", () => {
  it('puts each week at its Monday (Unix seconds) and each series in its own column, a missing count as 0', () => {
    const columns = trendColumns({
      weeks: ['2026-11-16T00:00:00.000Z', '2026-11-23T00:00:00.000Z', '2026-11-30T00:00:00.000Z'],
      series: [
        { name: 'exceptions_opened', counts: [3, 0, 5] },
        { name: 'appeals', counts: [1] },
      ],
    });
    expect(columns[0]).toEqual([Date.UTC(2026, 10, 16) / 1000, Date.UTC(2026, 10, 23) / 1000, Date.UTC(2026, 10, 30) / 1000]);
    expect(columns.slice(1)).toEqual([
      [3, 0, 5],
      [1, 0, 0],
    ]);
  });
});
