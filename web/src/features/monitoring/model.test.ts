import { describe, expect, it } from 'vitest';
import { durationOf, estimateText, groupLabel, type Monitor, metricsOf, psiReading, ruleOf, valueKeyOf, windowOf } from './model';

describe('monitoring model', () => {
  it('a window ends at the next minute and its previous window is as long, just before', () => {
    const now = Date.parse('2026-11-30T10:15:30.000Z');
    const w = windowOf('24h', now);
    expect(w.to).toBe('2026-11-30T10:16:00.000Z');
    expect(w.from).toBe('2026-11-29T10:16:00.000Z');
    expect(w.previous).toEqual({ from: '2026-11-28T10:16:00.000Z', to: '2026-11-29T10:16:00.000Z' });
    // Stable within the minute, so the query key does not change on every render.
    expect(windowOf('24h', now + 20_000)).toEqual(w);
  });

  it('a null statistic reads as its reason, never as 0', () => {
    expect(estimateText({ value: null, reason: 'below_min_count' })).toBe('n/a: below min count');
    expect(estimateText({ value: 0, reason: null })).toBe('0');
    expect(estimateText({ value: 0.123456, reason: null })).toBe('0.1235');
  });

  it('says a monitor rule as people read it', () => {
    expect(ruleOf({ aggregation: 'max', comparison: 'gt', threshold: 500, windowSeconds: 3600 })).toBe('max over 1 h > 500');
    expect(ruleOf({ aggregation: 'avg', comparison: 'lte', threshold: 0.8, windowSeconds: 90 })).toBe('avg over 90 s ≤ 0.8');
    expect(durationOf(86_400 * 2)).toBe('2 d');
    expect(durationOf(300)).toBe('5 min');
  });

  it('names groups, picks the drawn value and groups monitors by metric', () => {
    expect(groupLabel({ sex: 'female', age_band: null })).toBe('sex=female, age_band=(none)');
    expect(valueKeyOf('max')).toBe('max');
    expect(valueKeyOf('count')).toBe('avg');
    const m = (id: string, metric: string) => ({ id, metric }) as Monitor;
    expect(metricsOf([m('1', 'latency'), m('2', 'errors'), m('3', 'latency')]).map((g) => [g.metric, g.monitors.length])).toEqual([
      ['latency', 2],
      ['errors', 1],
    ]);
  });

  it('reads a PSI by the usual bands', () => {
    expect(psiReading(0.05)).toBe('stable');
    expect(psiReading(0.2)).toBe('shifting');
    expect(psiReading(0.4)).toBe('shifted');
    expect(psiReading(null)).toBeNull();
  });
});
