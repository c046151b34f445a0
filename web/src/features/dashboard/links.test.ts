import { describe, expect, it } from 'vitest';
import { hrefOf, pageOf } from './links';

describe('a dashboard figure links to the page of its list', () => {
  it('renames inventory filters as the inventory page names them', () => {
    const page = pageOf({ path: '/api/v1/systems', query: { euRiskTier: 'high', status: 'in_production' }, exact: true });
    expect(page).toEqual({ to: '/systems', search: { tier: 'high', status: 'in_production' } });
    expect(hrefOf(page!)).toBe('/systems?tier=high&status=in_production');
  });
  it('shows systems without an owner and untriaged shadow AI', () => {
    expect(pageOf({ path: '/api/v1/systems', query: { withoutOwner: 'true' }, exact: true })?.search).toEqual({ owner: 'none' });
    expect(pageOf({ path: '/api/v1/systems', query: { untriagedShadow: 'true' }, exact: true })?.search).toEqual({ untriaged: 'true' });
  });
  it('keeps other lists’ filters and drops paging', () => {
    expect(pageOf({ path: '/api/v1/exceptions', query: { status: 'open', limit: '50' }, exact: false })).toEqual({
      to: '/exceptions',
      search: { status: 'open' },
    });
    expect(pageOf({ path: '/api/v1/approvals/requests', query: { emergency: 'true' }, exact: false })?.search.tab).toBe('emergency');
  });
  it('links firing alerts to the alert list filtered the same way', () => {
    const page = pageOf({ path: '/api/v1/alerts', query: { status: 'firing' }, exact: true });
    expect(page).toEqual({ to: '/monitoring/alerts', search: { status: 'firing' } });
    expect(hrefOf(page!)).toBe('/monitoring/alerts?status=firing');
  });
  it('shows everyone’s reviews, as the dashboard counts them', () => {
    expect(pageOf({ path: '/api/v1/reviews', query: { overdue: 'true' }, exact: true })).toEqual({
      to: '/reviews',
      search: { all: 'true', overdue: 'true' },
    });
  });

  it('has no page for a figure without a list, or an unknown list', () => {
    expect(pageOf(null)).toBeNull();
    expect(pageOf({ path: '/api/v1/unknown', query: {}, exact: true })).toBeNull();
  });
});
