import { describe, expect, it } from 'vitest';
import { fromRows, toRows } from './roles';

describe('per-system role rows', () => {
  it('round-trips a map of system roles', () => {
    const map = { a: ['approver'], b: ['oversight_officer', 'reviewer'] };
    expect(fromRows(toRows(map))).toEqual(map);
  });
  it('drops empty rows, trims ids and merges duplicate systems', () => {
    expect(
      fromRows([
        { systemId: ' a ', roles: ['approver'] },
        { systemId: 'a', roles: ['approver', 'reviewer'] },
        { systemId: '', roles: ['admin'] },
        { systemId: 'c', roles: [] },
      ]),
    ).toEqual({ a: ['approver', 'reviewer'] });
  });
});
