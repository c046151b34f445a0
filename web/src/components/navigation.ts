// The sidebar's sections and which one a page belongs to. A page is in the section whose path is the
// longest prefix of its own, except the pages that sit under one area's URL but belong to another
// section (a system's monitoring page is Monitoring, not Inventory); exactly one entry, or none, is active.

export interface NavEntry {
  to: string;
  label: string;
  /** Shown only to holders of one of these roles (the server refuses the rest anyway). */
  roles?: readonly string[];
}

export const NAV: readonly NavEntry[] = [
  { to: '/', label: 'Dashboard' },
  { to: '/systems', label: 'Inventory' },
  { to: '/approvals', label: 'Approvals' },
  { to: '/exceptions', label: 'Exceptions' },
  { to: '/incidents', label: 'Incidents' },
  { to: '/oversight', label: 'Oversight' },
  { to: '/decisions', label: 'Decisions' },
  { to: '/appeals', label: 'Appeals' },
  { to: '/reviews', label: 'Reviews' },
  { to: '/feedback', label: 'Feedback' },
  { to: '/ledger', label: 'Ledger' },
  { to: '/frameworks', label: 'Frameworks' },
  { to: '/frameworks/soa', label: 'Statement of Applicability' },
  { to: '/monitoring/alerts', label: 'Monitoring' },
  { to: '/admin', label: 'Administration', roles: ['admin'] },
  { to: '/admin/grants', label: 'Auditor access', roles: ['admin', 'external_auditor'] },
];

/** Pages whose section is not the one their URL starts with (null: no section; my API tokens live in the account menu). */
const SECTION_OF: ReadonlyArray<readonly [RegExp, string | null]> = [
  [/^\/systems\/[^/]+\/monitoring(\/|$)/, '/monitoring/alerts'],
  [/^\/admin\/tokens(\/|$)/, null],
];

const within = (pathname: string, to: string) => (to === '/' ? pathname === '/' : pathname === to || pathname.startsWith(`${to}/`));

/** The `to` of the one entry to highlight on `pathname` among `entries` (those this person sees), or null. */
export function activeNavEntry(pathname: string, entries: readonly NavEntry[] = NAV): string | null {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  const special = SECTION_OF.find(([pattern]) => pattern.test(path));
  if (special) return special[1] !== null && entries.some((e) => e.to === special[1]) ? special[1] : null;
  let best: string | null = null;
  for (const { to } of entries) if (within(path, to) && (best === null || to.length > best.length)) best = to;
  return best;
}
