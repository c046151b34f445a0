import { describe, expect, it } from 'vitest';
import { validateInventorySearch, validateSystemSearch } from '../../routes/systems.routes';
import { pageOf } from '../dashboard/links';
import { cadenceSource, cadenceText, dayToIso, periodErrors, scheduleDefaults } from './model';

describe('reviews model', () => {
  it('reads a cadence in words', () => {
    expect(cadenceText(null)).toBe('Not scheduled');
    expect(cadenceText(0)).toBe('Not scheduled');
    expect(cadenceText(1)).toBe('Every month');
    expect(cadenceText(3)).toBe('Every 3 months');
    expect(cadenceSource({ source: 'default' }, 'high')).toBe('Default for the high tier');
    expect(cadenceSource({ source: 'system' }, 'high')).toBe("This system's own");
  });

  it('guesses the last three whole months, due in two weeks', () => {
    expect(scheduleDefaults(new Date('2026-12-01T01:00:00Z'))).toEqual({
      periodFrom: '2026-09-01',
      periodTo: '2026-12-01',
      dueAt: '2026-12-15',
    });
    expect(scheduleDefaults(new Date('2026-02-10T00:00:00Z')).periodFrom).toBe('2025-11-01');
  });

  it('checks the dates as the server does', () => {
    expect(dayToIso('2026-07-01')).toBe('2026-07-01T00:00:00.000Z');
    expect(dayToIso('July')).toBeNull();
    expect(periodErrors({ periodFrom: '2026-07-01', periodTo: '2026-07-01', dueAt: '2026-08-01' })).toEqual({
      periodTo: 'After the start of the period',
    });
    expect(periodErrors({ periodFrom: '2026-07-01', periodTo: '2026-10-01', dueAt: '' })).toEqual({ dueAt: 'A date' });
  });

  it('keeps the review-overdue filter and the reviews tab in the URL; the dashboard figure links there', () => {
    expect(validateInventorySearch({ reviewOverdue: 'true' })).toEqual({ reviewOverdue: true });
    expect(validateInventorySearch({ reviewOverdue: 'false' })).toEqual({});
    expect(validateSystemSearch({ tab: 'reviews', reviewsPage: '2' })).toEqual({ tab: 'reviews', reviewsPage: 2 });
    expect(validateSystemSearch({ tab: 'reviews', reviewsPage: '1' })).toEqual({ tab: 'reviews' });
    expect(pageOf({ path: '/api/v1/systems', query: { reviewOverdue: 'true' }, exact: true })).toEqual({
      to: '/systems',
      search: { reviewOverdue: 'true' },
    });
  });
});
