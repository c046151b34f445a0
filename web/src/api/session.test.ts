import { describe, expect, it } from 'vitest';
import { holds, type Session } from './session';

const session = (roles: string[], systemRoles: Record<string, string[]> = {}): Session =>
  ({ user: { id: 'u', email: 'u@example.test', displayName: 'U' }, roles, systemRoles, authenticatedBy: 'session' }) as Session;

describe('holds: what the UI offers follows the roles', () => {
  it('gives admins every role', () => {
    expect(holds(session(['admin']), ['approver'])).toBe(true);
  });
  it('matches a global role', () => {
    expect(holds(session(['approver']), ['approver', 'governance_lead'])).toBe(true);
    expect(holds(session(['auditor']), ['approver'])).toBe(false);
  });
  it('matches a role held for the given system only', () => {
    const s = session([], { sys1: ['oversight_officer'] });
    expect(holds(s, ['oversight_officer'], 'sys1')).toBe(true);
    expect(holds(s, ['oversight_officer'], 'sys2')).toBe(false);
    expect(holds(s, ['oversight_officer'])).toBe(false);
  });
});
