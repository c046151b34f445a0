// The systems area's queries, shared by its routes (which start them while the page's code loads)
// and its pages (which read them), so a navigation fetches its first page once and early.
import { queryOptions } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { Query } from '../../api/types';
import type { InventorySearch } from '../../routes/systems.routes';

/** The API's query for what the inventory's URL says. */
export function listQuery(search: InventorySearch): Query<'listSystems'> {
  const size = search.size ?? 50;
  return {
    q: search.q,
    euRiskTier: search.tier,
    status: search.status,
    deploymentKind: search.kind,
    aiType: search.type,
    ownerId: search.owner && search.owner !== 'none' ? search.owner : undefined,
    withoutOwner: search.owner === 'none' ? true : undefined,
    tag: search.tag,
    sort: search.sort,
    reviewOverdue: search.reviewOverdue,
    untriagedShadow: search.untriaged,
    limit: size,
    offset: ((search.page ?? 1) - 1) * size,
  };
}

/** The export's query for what the inventory's URL says: the list's filters, without its page and
 * order (the export holds every match, by name). Empty when no filter is on. */
export function exportFilter(search: InventorySearch): Omit<Query<'exportSystems'>, 'format'> {
  const { sort: _sort, limit: _limit, offset: _offset, ...filter } = listQuery(search);
  return Object.fromEntries(Object.entries(filter).filter(([, value]) => value !== undefined));
}

/** The export's URL (a download link) for these filters. */
export function exportHref(filter: Omit<Query<'exportSystems'>, 'format'>, format: 'csv' | 'json'): string {
  const query: Query<'exportSystems'> = { format, ...filter };
  const params = new URLSearchParams(Object.entries(query).map(([key, value]) => [key, String(value)]));
  return `/api/v1/systems/export?${params}`;
}

export const systemsPageQuery = (search: InventorySearch) => {
  const query = listQuery(search);
  return queryOptions({
    queryKey: ['systems', 'list', query],
    queryFn: () => unwrap(api.GET('/api/v1/systems', { params: { query } })),
  });
};

export const systemQuery = (systemId: string) =>
  queryOptions({
    queryKey: ['systems', systemId, 'detail'],
    queryFn: () => unwrap(api.GET('/api/v1/systems/{id}', { params: { path: { id: systemId } } })),
  });
