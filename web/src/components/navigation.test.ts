import { describe, expect, it } from 'vitest';
import { activeNavEntry, NAV } from './navigation';

const label = (pathname: string, entries = NAV) => {
  const to = activeNavEntry(pathname, entries);
  return to === null ? null : (entries.find((e) => e.to === to)?.label ?? to);
};

describe('the sidebar highlights the section of the page, one entry at most', () => {
  it("a system's monitoring page is Monitoring; the system's own page and the inventory are Inventory", () => {
    expect(label('/systems/0a1b2c3d-0000-4000-8000-000000000001/monitoring')).toBe('Monitoring');
    expect(label('/systems/0a1b2c3d-0000-4000-8000-000000000001/monitoring/')).toBe('Monitoring');
    expect(label('/monitoring/alerts')).toBe('Monitoring');
    expect(label('/systems/0a1b2c3d-0000-4000-8000-000000000001')).toBe('Inventory');
    expect(label('/systems')).toBe('Inventory');
  });
  it('a nested section wins over its parent: the Statement of Applicability, auditor access', () => {
    expect(label('/frameworks/soa')).toBe('Statement of Applicability');
    expect(label('/frameworks/iso-42001/controls/A.9.2')).toBe('Frameworks');
    expect(label('/frameworks/gaps')).toBe('Frameworks');
    expect(label('/admin/grants')).toBe('Auditor access');
    expect(label('/admin')).toBe('Administration');
  });
  it('detail pages are their list’s section; the dashboard only on /; my API tokens and unknown pages none', () => {
    expect(label('/reviews/r1')).toBe('Reviews');
    expect(label('/exceptions/e1')).toBe('Exceptions');
    expect(label('/approvals/a1')).toBe('Approvals');
    expect(label('/')).toBe('Dashboard');
    expect(label('/admin/tokens')).toBeNull();
    expect(label('/systemsx')).toBeNull();
    expect(label('/nowhere')).toBeNull();
  });
  it('counts only the entries this person sees', () => {
    const auditor = NAV.filter((e) => !e.roles || e.roles.includes('external_auditor'));
    expect(label('/admin/grants', auditor)).toBe('Auditor access');
    const noMonitoring = NAV.filter((e) => e.to !== '/monitoring/alerts');
    expect(label('/systems/s1/monitoring', noMonitoring)).toBeNull();
  });
});
