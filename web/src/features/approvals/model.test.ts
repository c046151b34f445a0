import { describe, expect, it } from 'vitest';
import { changeRows, diffJson, mayWrite, overdue, show, visibleLength } from './model';

describe('approvals model', () => {
  it('diffs two snapshots leaf by leaf, with dotted paths, arrays compared whole', () => {
    const before = { name: 'Scorer', status: 'proposed', system: { euRiskTier: 'high' }, refs: ['a'] };
    const after = { name: 'Scorer', status: 'in_production', system: { euRiskTier: 'limited' }, refs: ['a', 'b'], added: 1 };
    expect(diffJson(before, after)).toEqual([
      { path: 'added', before: undefined, after: 1 },
      { path: 'refs', before: ['a'], after: ['a', 'b'] },
      { path: 'status', before: 'proposed', after: 'in_production' },
      { path: 'system.euRiskTier', before: 'high', after: 'limited' },
    ]);
    expect(diffJson(before, structuredClone(before))).toEqual([]);
    expect(diffJson({ a: 1 }, null)).toEqual([{ path: '(whole)', before: { a: 1 }, after: null }]);
  });

  it('reads a change as from → to rows, and other values as what is asked for', () => {
    expect(changeRows({ euRiskTier: { from: 'high', to: 'limited' }, legalRationale: 'Art. 5 does not apply' })).toEqual([
      { path: 'euRiskTier', before: 'high', after: 'limited' },
      { path: 'legalRationale', before: undefined, after: 'Art. 5 does not apply' },
    ]);
    expect(changeRows({ status: { from: 'registered', to: 'deployed' }, environment: 'production' })[0]).toEqual({
      path: 'status',
      before: 'registered',
      after: 'deployed',
    });
    expect(changeRows(null)).toEqual([]);
  });

  it('counts visible characters as the server does: spaces and zero-width characters count nothing', () => {
    expect(visibleLength('ok')).toBe(2);
    expect(visibleLength('a\u200B\u200Bb')).toBe(2);
    expect(visibleLength('          ')).toBe(0);
    expect(visibleLength('Reviewed it')).toBe(10);
  });

  it('shows values and tells an overdue deadline', () => {
    expect(show(undefined)).toBe('—');
    expect(show(null)).toBe('none');
    expect(show('x')).toBe('x');
    expect(show({ a: 1 })).toBe('{"a":1}');
    const now = new Date('2026-01-02T00:00:00Z');
    expect(overdue('2026-01-01T00:00:00Z', now)).toBe(true);
    expect(overdue('2026-01-03T00:00:00Z', now)).toBe(false);
    expect(overdue(null, now)).toBe(false);
  });
});

describe('who may file and delegate', () => {
  it('is anyone with a role other than auditor, globally or for one system', () => {
    expect(mayWrite({ roles: ['approver'], systemRoles: {} })).toBe(true);
    expect(mayWrite({ roles: [], systemRoles: { s1: ['system_owner'] } })).toBe(true);
    expect(mayWrite({ roles: ['auditor'], systemRoles: {} })).toBe(false);
    expect(mayWrite({ roles: [], systemRoles: {} })).toBe(false);
    expect(mayWrite({ roles: ['auditor'], systemRoles: { s1: ['auditor'] } })).toBe(false);
  });
});

describe('approvals search parameters', async () => {
  const { validateApprovalsSearch } = await import('../../routes/approvals.routes');
  it('keeps known tabs, pages over 1 and filters; drops the rest', () => {
    expect(validateApprovalsSearch({ tab: 'all', page: '3', status: 'pending', kind: 'system_use', systemId: ' s1 ' })).toEqual({
      tab: 'all',
      page: 3,
      status: 'pending',
      kind: 'system_use',
      systemId: 's1',
    });
    expect(validateApprovalsSearch({ tab: 'queue', page: '1' })).toEqual({});
    expect(validateApprovalsSearch({ tab: 'nope', page: 'x', status: '' })).toEqual({});
  });
});
