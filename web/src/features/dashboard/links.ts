// A dashboard figure carries the API list it counts ({ path, query }); the page links each number
// to the page that shows that list, with the same filter in the page's own search parameters.
export interface ListLink {
  path: string;
  query: Record<string, string>;
  exact: boolean;
}

export interface PageLink {
  to: string;
  search: Record<string, string>;
}

/** Inventory filters are named for people (tier, kind, owner) rather than as the API names them. */
const INVENTORY_NAMES: Record<string, string> = { euRiskTier: 'tier', deploymentKind: 'kind', aiType: 'type', ownerId: 'owner' };

function inventorySearch(query: Record<string, string>): Record<string, string> {
  const search: Record<string, string> = {};
  for (const [key, value] of Object.entries(query)) {
    if (key === 'withoutOwner' && value === 'true') search.owner = 'none';
    else if (key === 'untriagedShadow' && value === 'true') search.untriaged = 'true';
    else if (key !== 'limit' && key !== 'offset') search[INVENTORY_NAMES[key] ?? key] = value;
  }
  return search;
}

const withoutPaging = (query: Record<string, string>) =>
  Object.fromEntries(Object.entries(query).filter(([key]) => key !== 'limit' && key !== 'offset'));

/** The web page showing an API list, or null when no page shows it. */
export function pageOf(link: ListLink | null): PageLink | null {
  if (!link) return null;
  const { path, query } = link;
  if (path === '/api/v1/systems') return { to: '/systems', search: inventorySearch(query) };
  if (path === '/api/v1/exceptions') return { to: '/exceptions', search: withoutPaging(query) };
  if (path === '/api/v1/incidents') return { to: '/incidents', search: withoutPaging(query) };
  if (path === '/api/v1/approvals/requests') {
    const search = withoutPaging(query);
    return { to: '/approvals', search: { tab: search.emergency === 'true' ? 'emergency' : 'all', ...search } };
  }
  if (path === '/api/v1/approvals/queue') return { to: '/approvals', search: { tab: 'queue' } };
  if (path.startsWith('/api/v1/decisions')) return { to: '/decisions', search: withoutPaging(query) };
  if (path === '/api/v1/appeals') return { to: '/appeals', search: withoutPaging(query) };
  // The dashboard counts everyone's reviews; the reviews page shows the caller's own unless `all`.
  if (path === '/api/v1/reviews') return { to: '/reviews', search: { all: 'true', ...withoutPaging(query) } };
  if (path.startsWith('/api/v1/ledger')) return { to: '/ledger', search: {} };
  if (path === '/api/v1/alerts') return { to: '/monitoring/alerts', search: withoutPaging(query) };
  const incident = /^\/api\/v1\/incidents\/([^/]+)/.exec(path);
  if (incident) return { to: `/incidents/${incident[1]}`, search: {} };
  return null;
}

/** The URL of a page link, for an anchor's href. */
export function hrefOf(link: PageLink): string {
  const params = new URLSearchParams(link.search).toString();
  return params ? `${link.to}?${params}` : link.to;
}
