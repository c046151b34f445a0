// Saved views of the inventory: named filter sets kept in this browser (localStorage), each one a
// URL (/systems?...) that can also be bookmarked or sent to a colleague.
import { type InventorySearch, validateInventorySearch } from '../../routes/systems.routes';

export interface SavedView {
  name: string;
  search: InventorySearch;
}

export const SAVED_VIEWS_KEY = 'proofline.inventory.views';

/** The saved views, each re-validated as the URL would be (a stale or hand-edited entry is dropped). */
export function loadViews(storage: Pick<Storage, 'getItem'> = localStorage): SavedView[] {
  try {
    const raw = JSON.parse(storage.getItem(SAVED_VIEWS_KEY) ?? '[]') as unknown;
    if (!Array.isArray(raw)) return [];
    return raw
      .filter((v): v is { name: string; search: Record<string, unknown> } => typeof v?.name === 'string' && typeof v?.search === 'object')
      .map((v) => ({ name: v.name.slice(0, 100), search: validateInventorySearch(v.search ?? {}) }));
  } catch {
    return [];
  }
}

/** Adds (or replaces, by name) a view; the page number is not part of a view. */
export function saveView(views: SavedView[], name: string, search: InventorySearch): SavedView[] {
  const { page: _page, ...filters } = search;
  const trimmed = name.trim();
  return [...views.filter((v) => v.name !== trimmed), { name: trimmed, search: filters }].sort((a, b) => a.name.localeCompare(b.name));
}

export function removeView(views: SavedView[], name: string): SavedView[] {
  return views.filter((v) => v.name !== name);
}

export function storeViews(views: SavedView[], storage: Pick<Storage, 'setItem'> = localStorage): void {
  storage.setItem(SAVED_VIEWS_KEY, JSON.stringify(views));
}

/** The view's address: what a link to it opens. */
export function viewHref(search: InventorySearch): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(search)) if (value !== undefined) params.set(key, String(value));
  const query = params.toString();
  return query ? `/systems?${query}` : '/systems';
}
