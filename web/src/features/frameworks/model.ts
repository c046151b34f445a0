// The frameworks area's small rules: status words and colours, control ids in URLs, where a gap is
// fixed (the API path the server names -> the page that shows it) and which page holds the record
// a ledger event is about.
import type { ControlStatus } from '../../routes/frameworks.routes';

export const STATUS_LABEL: Record<ControlStatus, string> = {
  satisfied: 'Satisfied',
  partly: 'Partly satisfied',
  not_satisfied: 'Not satisfied',
  not_applicable: 'Not applicable',
};

export const STATUS_COLOR: Record<ControlStatus, string> = {
  satisfied: 'green',
  partly: 'orange',
  not_satisfied: 'red',
  not_applicable: 'gray',
};

/** `iso42001:A.9.2` -> { framework: 'iso42001', control: 'A.9.2' } (the URL's two parts). */
export function splitControlId(controlId: string): { framework: string; control: string } {
  const at = controlId.indexOf(':');
  return at < 0 ? { framework: controlId, control: '' } : { framework: controlId.slice(0, at), control: controlId.slice(at + 1) };
}

export interface PageLink {
  to: string;
  params?: Record<string, string>;
  search?: Record<string, string | boolean>;
  label: string;
}

/** The page where a gap's fix starts, from the API path the server names (`act`); null when no page shows it. */
export function fixPageOf(act: string): PageLink | null {
  const url = new URL(act, 'http://x');
  const path = url.pathname;
  const query = url.searchParams;
  const system = /^\/api\/v1\/systems\/([^/]+)$/.exec(path);
  if (system) return { to: '/systems/$systemId', params: { systemId: decodeURIComponent(system[1]) }, label: 'Open the AI system' };
  const roster = /^\/api\/v1\/systems\/([^/]+)\/oversight\/roster$/.exec(path);
  if (roster) return { to: '/oversight', search: { system: decodeURIComponent(roster[1]) }, label: 'Staff the oversight roster' };
  if (path === '/api/v1/approvals/requests') return { to: '/approvals', search: { tab: 'all' }, label: 'Go to the approvals' };
  if (path === '/api/v1/exceptions') {
    const search: Record<string, string | boolean> = {};
    if (query.get('systemId')) search.system = query.get('systemId') as string;
    if (query.get('overdue') === 'true') search.overdue = true;
    return { to: '/exceptions', search, label: 'Open the overdue exceptions' };
  }
  if (path === '/api/v1/incidents') {
    const systemId = query.get('systemId');
    return { to: '/incidents', search: systemId ? { system: systemId } : {}, label: 'Open the incidents' };
  }
  if (path.startsWith('/api/v1/ledger')) return { to: '/ledger', label: 'Verify the ledger' };
  return null;
}

interface EventLeaf {
  type?: unknown;
  subject?: { type?: unknown; id?: unknown } | null;
  data?: { systemId?: unknown } | null;
}

/** The page of the record a ledger event is about, where one exists. */
export function recordPageOf(event: unknown): PageLink | null {
  const leaf = (event ?? {}) as EventLeaf;
  const type = typeof leaf.type === 'string' ? leaf.type : '';
  const subjectType = typeof leaf.subject?.type === 'string' ? leaf.subject.type : '';
  const id = typeof leaf.subject?.id === 'string' ? leaf.subject.id : '';
  if (id && subjectType === 'ai_system') return { to: '/systems/$systemId', params: { systemId: id }, label: 'AI system' };
  if (id && subjectType === 'approval_request')
    return { to: '/approvals/$requestId', params: { requestId: id }, label: 'Approval request' };
  if (id && subjectType === 'exception') {
    return type.startsWith('incident.')
      ? { to: '/incidents/$incidentId', params: { incidentId: id }, label: 'Incident' }
      : { to: '/exceptions/$exceptionId', params: { exceptionId: id }, label: 'Exception' };
  }
  if (id && subjectType === 'appeal') return { to: '/appeals/$appealId', params: { appealId: id }, label: 'Appeal' };
  const systemId = leaf.data?.systemId;
  if (typeof systemId === 'string' && systemId !== '') return { to: '/systems/$systemId', params: { systemId }, label: 'AI system' };
  return null;
}
