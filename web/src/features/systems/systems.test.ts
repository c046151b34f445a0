// The inventory's URL rules, saved views and the rationale rule as the UI applies them.
import { describe, expect, it } from 'vitest';
import { visibleLength as serverVisibleLength } from '../../../../src/rationale.js';
import { validateInventorySearch, validateSystemSearch } from '../../routes/systems.routes';
import { linesInPlace } from './ImportDialog';
import { exportFilter, exportHref } from './queries';
import { rationaleError, visibleLength } from './rationale';
import { sideBySide } from './SystemChanges';
import { loadViews, removeView, saveView, storeViews, viewHref } from './savedViews';

describe('inventory search parameters', () => {
  it('keeps the known filters, checked, and drops the rest', () => {
    expect(
      validateInventorySearch({ tier: 'high', status: 'paused', kind: 'shadow', q: '  ranker ', colour: 'red', page: '3', size: '100' }),
    ).toEqual({
      tier: 'high',
      status: 'paused',
      kind: 'shadow',
      q: 'ranker',
      page: 3,
      size: 100,
    });
    expect(validateInventorySearch({ tier: 'enormous', status: 7, page: '-1', size: '77', sort: 'colour' })).toEqual({});
    expect(validateInventorySearch({ page: 1, sort: '-updatedAt', owner: 'none' })).toEqual({ sort: '-updatedAt', owner: 'none' });
  });

  it("links the export to the list's filters, without its page, size or order", () => {
    const search = validateInventorySearch({
      tier: 'high',
      status: 'in_production',
      owner: 'none',
      q: 'credit',
      page: '2',
      size: '100',
      sort: '-name',
    });
    expect(exportFilter(search)).toEqual({ euRiskTier: 'high', status: 'in_production', withoutOwner: true, q: 'credit' });
    const url = new URL(exportHref(exportFilter(search), 'csv'), 'http://x');
    expect(url.pathname).toBe('/api/v1/systems/export');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      format: 'csv',
      euRiskTier: 'high',
      status: 'in_production',
      withoutOwner: 'true',
      q: 'credit',
    });
    expect(exportFilter(validateInventorySearch({ owner: 'u-1', reviewOverdue: 'true', page: '3' }))).toEqual({
      ownerId: 'u-1',
      reviewOverdue: true,
    });
    expect(exportFilter(validateInventorySearch({ untriaged: 'true', kind: 'shadow' }))).toEqual({
      deploymentKind: 'shadow',
      untriagedShadow: true,
    });
    expect(validateInventorySearch({ untriaged: 'yes' })).toEqual({});
    expect(exportHref(exportFilter({}), 'json')).toBe('/api/v1/systems/export?format=json');
  });

  it('keeps only known history kinds and a valid comparison', () => {
    expect(validateSystemSearch({ tab: 'history', kinds: 'approval,bogus,exception', from: '2', to: 'x' })).toEqual({
      tab: 'history',
      kinds: 'approval,exception',
      from: 2,
    });
    expect(validateSystemSearch({ tab: 'nope', kinds: 'bogus' })).toEqual({});
  });
});

describe('saved views', () => {
  const memory = () => {
    const data = new Map<string, string>();
    return { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v) };
  };

  it('saves named filter sets without the page, replaces by name, and each is a URL', () => {
    const storage = memory();
    let views = saveView([], 'High risk in production', { tier: 'high', status: 'in_production', page: 4 });
    views = saveView(views, 'Shadow AI', { kind: 'shadow' });
    views = saveView(views, 'Shadow AI', { kind: 'shadow', q: 'chat' });
    storeViews(views, storage);
    const loaded = loadViews(storage);
    expect(loaded.map((v) => v.name)).toEqual(['High risk in production', 'Shadow AI']);
    expect(viewHref(loaded[0].search)).toBe('/systems?tier=high&status=in_production');
    expect(viewHref(loaded[1].search)).toBe('/systems?q=chat&kind=shadow');
    expect(removeView(loaded, 'Shadow AI').map((v) => v.name)).toEqual(['High risk in production']);
  });

  it('drops what is not a view and filters a stored view as the URL would', () => {
    const storage = memory();
    storage.setItem(
      'proofline.inventory.views',
      JSON.stringify([{ name: 'ok', search: { tier: 'bogus', tag: 'hr' } }, 42, { search: {} }]),
    );
    expect(loadViews(storage)).toEqual([{ name: 'ok', search: { tag: 'hr' } }]);
    storage.setItem('proofline.inventory.views', 'not json');
    expect(loadViews(storage)).toEqual([]);
  });
});

describe('rationale', () => {
  it('counts visible characters exactly as the server does', () => {
    for (const text of [
      '',
      'short',
      'ten chars!',
      'a\u200B\u200Bb',
      '   padded   words   ',
      '\u0301\u0301\u0301',
      'e\u0301t\u00e9 🙂 👩‍👩‍👧 done',
      '\u2800\u3164x',
    ]) {
      expect(visibleLength(text), JSON.stringify(text)).toBe(serverVisibleLength(text));
    }
  });

  it('asks for ten visible characters', () => {
    expect(rationaleError('too short')).toMatch(/at least 10 visible characters \(8 so far\)/);
    expect(rationaleError('\u200B'.repeat(20))).not.toBeNull();
    expect(rationaleError('Owner agreed in the review')).toBeNull();
  });
});

describe('import errors in place', () => {
  const report = (invalid: Array<{ line: number; errors: string[] }>) => ({ valid: 1, invalid, imported: 0 });

  it('puts each CSV error beside the file line it names', () => {
    const csv = 'name,purpose\r\nA,ok\r\nB,\r\n\r\n';
    expect(linesInPlace(csv, 'csv', report([{ line: 3, errors: ['purpose: required'] }]))).toEqual([
      { line: 1, text: 'name,purpose', errors: [] },
      { line: 2, text: 'A,ok', errors: [] },
      { line: 3, text: 'B,', errors: ['purpose: required'] },
    ]);
  });

  it('numbers JSON items from 1, and shows only the failing lines of a long file', () => {
    const json = JSON.stringify([{ name: 'A' }, { name: 'B' }]);
    expect(linesInPlace(json, 'json', report([{ line: 2, errors: ['aiType: required'] }]))[1]).toEqual({
      line: 2,
      text: '{"name":"B"}',
      errors: ['aiType: required'],
    });
    const long = Array.from({ length: 1000 }, (_, i) => `row ${i + 1}`).join('\n');
    expect(linesInPlace(long, 'csv', report([{ line: 700, errors: ['bad'] }]))).toEqual([{ line: 700, text: 'row 700', errors: ['bad'] }]);
  });
});

describe('two versions side by side', () => {
  it('lists every field of either version, the changed ones flagged', () => {
    expect(sideBySide({ name: 'A', tags: ['x'], vendor: null }, { name: 'A', tags: ['y'], owner: 'u1' })).toEqual([
      { key: 'name', before: 'A', after: 'A', changed: false },
      { key: 'owner', before: undefined, after: 'u1', changed: true },
      { key: 'tags', before: ['x'], after: ['y'], changed: true },
      { key: 'vendor', before: null, after: undefined, changed: true },
    ]);
  });
});
