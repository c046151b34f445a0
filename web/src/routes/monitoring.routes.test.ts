import { describe, expect, it } from 'vitest';
import { validateAlertsSearch, validateSystemMonitoringSearch } from './monitoring.routes';

describe('monitoring URLs keep only what they understand', () => {
  it('checks the alert list filters', () => {
    expect(validateAlertsSearch({ status: 'firing', severity: 'high', system: ' s1 ', page: '3', extra: 'x' })).toEqual({
      status: 'firing',
      severity: 'high',
      system: 's1',
      page: 3,
    });
    expect(validateAlertsSearch({ status: 'open', severity: 'urgent', page: '1' })).toEqual({});
  });
  it("checks a system's monitoring view", () => {
    expect(
      validateSystemMonitoringSearch({ tab: 'fairness', window: '30d', groupBy: 'Sex, age_band', against: 'baseline', baseline: 'nope' }),
    ).toEqual({ tab: 'fairness', window: '30d', groupBy: 'sex,age_band', against: 'baseline' });
    expect(validateSystemMonitoringSearch({ tab: 'other', window: '1y', groupBy: 'a,b,c,d' })).toEqual({});
    const id = '0a1b2c3d-0000-4000-8000-000000000001';
    expect(validateSystemMonitoringSearch({ baseline: id })).toEqual({ baseline: id });
  });
});
