// The search parameters of the oversight, review-queue and appeals pages: what a shared URL may hold.
import { describe, expect, it } from 'vitest';
import { validateAppealsSearch, validateDecisionsSearch } from './decisions.routes';
import { validateOversightSearch } from './oversight.routes';

describe('search parameters', () => {
  it('keeps a chosen system and drops an empty one on the oversight console', () => {
    expect(validateOversightSearch({ system: 'abc' })).toEqual({ system: 'abc' });
    expect(validateOversightSearch({ system: '' })).toEqual({});
    expect(validateOversightSearch({ system: 3 })).toEqual({});
  });

  it('keeps only known review statuses and pages past the first', () => {
    expect(validateDecisionsSearch({ system: 's1', status: 'overridden', page: 2 })).toEqual({
      system: 's1',
      status: 'overridden',
      page: 2,
    });
    expect(validateDecisionsSearch({ status: 'deleted', page: 1 })).toEqual({});
    expect(validateDecisionsSearch({ page: 2.5 })).toEqual({});
  });

  it('reads the appeals filters, overdue as a flag', () => {
    expect(validateAppealsSearch({ status: 'in_review', overdue: 'true' })).toEqual({ status: 'in_review', overdue: true });
    expect(validateAppealsSearch({ status: 'closed', overdue: false })).toEqual({});
  });
});
