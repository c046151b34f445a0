// What an external auditor may call, and within which scope. Default-deny: a route absent from
// GRANT_ROUTES is refused (`grant_route_refused`), so a new route stays closed to grant holders until
// someone adds it here with its scope rule (grant-access.test.ts walks every GET route of the
// OpenAPI document). Three steps, each run only for holders of `external_auditor`:
// admitGrantHolder (onRequest: the route and a live grant), checkGrantScope (preValidation: the
// path, query and body within the grant; lists are narrowed to the scope, not refused) and
// logGrantRead (onSend: one ledger event per request, in its own transaction, after the answer is
// decided; if it cannot be written, the answer is not sent).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Actor } from '../../context.js';
import type { Database } from '../../db/schema.js';
import type { Store } from '../../db/store.js';
import { AppError } from '../../errors.js';
import { type App, requestContext } from '../../server/http.js';
import { type GrantRow, grantStatus, latestGrantOf } from './auditor-grants.repository.js';
import { recordGrantRead } from './auditor-grants.service.js';

/** Where a record's system is kept: table and column, looked up by the path's `:id`. */
const RECORD_SYSTEM = {
  exception: { table: 'exceptions', column: 'system_id' },
  approval_request: { table: 'approval_requests', column: 'system_id' },
  decision: { table: 'decisions', column: 'system_id' },
  appeal: { table: 'appeals', column: 'system_ref' },
} as const;

export type GrantRule =
  /** Who is signed in, and signing out: allowed without a live grant, not logged. */
  | { kind: 'session' }
  /** Catalogs and ledger proofs: no governance record, any live grant. */
  | { kind: 'catalog' }
  /** `:id` is a framework id. */
  | { kind: 'framework-path' }
  /** `:id` is an AI system id; `period`: the query's from/to are held within the grant's period. */
  | { kind: 'system-path'; period?: true }
  /** A list of every system: only for grants not limited to one system (it has no filter to narrow by). */
  | { kind: 'all-systems' }
  /** A list with a system filter (`param`): narrowed to the grant's system. */
  | { kind: 'system-list'; param: 'systemId' }
  /** `:id` is a record of one system. */
  | { kind: 'record'; of: keyof typeof RECORD_SYSTEM }
  /** Control status and gaps: the grant's framework and system. */
  | { kind: 'controls' }
  /** The ledger's events: the grant's system and period. */
  | { kind: 'ledger-events' }
  /** One ledger event by `:seq`: of the grant's system and period. */
  | { kind: 'ledger-event' }
  /** The holder's own grant (`:id`) and its reads. */
  | { kind: 'own-grant' }
  /** The grants list, narrowed to the holder's own. */
  | { kind: 'own-grants' }
  /** An evidence pack within the grant's scope. */
  | { kind: 'evidence-pack' };

/** The default-deny list: `METHOD /route` -> its scope rule. Everything else is refused. */
export const GRANT_ROUTES: Readonly<Record<string, GrantRule>> = {
  'GET /api/v1/auth/session': { kind: 'session' },
  'POST /api/v1/auth/logout': { kind: 'session' },
  'GET /api/v1/auditor-grants': { kind: 'own-grants' },
  'GET /api/v1/auditor-grants/:id': { kind: 'own-grant' },
  'GET /api/v1/auditor-grants/:id/reads': { kind: 'own-grant' },
  'GET /api/v1/frameworks': { kind: 'catalog' },
  'GET /api/v1/frameworks/:id/controls': { kind: 'framework-path' },
  'GET /api/v1/ledger/checkpoints/latest': { kind: 'catalog' },
  'GET /api/v1/ledger/proofs/inclusion': { kind: 'catalog' },
  'GET /api/v1/ledger/proofs/consistency': { kind: 'catalog' },
  'GET /api/v1/ledger/events': { kind: 'ledger-events' },
  'GET /api/v1/ledger/events/:seq': { kind: 'ledger-event' },
  'GET /api/v1/systems': { kind: 'all-systems' },
  'GET /api/v1/systems/:id': { kind: 'system-path' },
  'GET /api/v1/systems/:id/timeline': { kind: 'system-path' },
  'GET /api/v1/systems/:id/history': { kind: 'system-path', period: true },
  'GET /api/v1/systems/:id/model-versions': { kind: 'system-path' },
  'GET /api/v1/systems/:id/data-sources': { kind: 'system-path' },
  'GET /api/v1/systems/:id/versions/compare': { kind: 'system-path' },
  'GET /api/v1/systems/:id/runtime': { kind: 'system-path' },
  'GET /api/v1/systems/:id/runtime/detail': { kind: 'system-path' },
  'GET /api/v1/systems/:id/oversight/roster': { kind: 'system-path' },
  'GET /api/v1/systems/:id/publication': { kind: 'system-path' },
  'GET /api/v1/systems/:id/monitoring/performance': { kind: 'system-path' },
  'GET /api/v1/systems/:id/monitoring/fairness': { kind: 'system-path' },
  'GET /api/v1/systems/:id/monitoring/drift': { kind: 'system-path' },
  'GET /api/v1/exceptions': { kind: 'system-list', param: 'systemId' },
  'GET /api/v1/exceptions/:id': { kind: 'record', of: 'exception' },
  'GET /api/v1/incidents': { kind: 'system-list', param: 'systemId' },
  'GET /api/v1/incidents/:id': { kind: 'record', of: 'exception' },
  'GET /api/v1/incidents/:id/deadlines': { kind: 'record', of: 'exception' },
  'GET /api/v1/approvals/requests': { kind: 'system-list', param: 'systemId' },
  'GET /api/v1/approvals/requests/:id': { kind: 'record', of: 'approval_request' },
  'GET /api/v1/change-records': { kind: 'system-list', param: 'systemId' },
  'GET /api/v1/decisions/:id': { kind: 'record', of: 'decision' },
  'GET /api/v1/appeals': { kind: 'system-list', param: 'systemId' },
  'GET /api/v1/appeals/:id': { kind: 'record', of: 'appeal' },
  'GET /api/v1/controls/status': { kind: 'controls' },
  'GET /api/v1/controls/gaps': { kind: 'controls' },
  'POST /api/v1/evidence-packs': { kind: 'evidence-pack' },
};

declare module 'fastify' {
  interface FastifyRequest {
    /** The live grant an external auditor acts under (set by admitGrantHolder). */
    auditorGrant?: GrantRow;
  }
}

/** The cheap check every request makes: only holders of `external_auditor` take the grant path. */
export const isGrantHolder = (actor: Actor): boolean => actor.roles.includes('external_auditor');

export function grantRuleOf(method: string, route: string): GrantRule | undefined {
  return GRANT_ROUTES[`${method} ${route}`];
}

const SAFE_METHODS = new Set(['GET', 'HEAD']);

/** onRequest, after authentication: the route must be on the list and the grant live. Returns the
 * grant the request acts under (null on the session routes, which need none). */
export async function admitGrantHolder(db: Kysely<Database>, req: FastifyRequest, actor: Actor): Promise<GrantRow | null> {
  const rule = grantRuleOf(req.method === 'HEAD' ? 'GET' : req.method, req.routeOptions.url ?? '');
  if (!rule) {
    const what = SAFE_METHODS.has(req.method) ? 'this read is not open to auditor grants' : 'an external auditor changes nothing';
    throw new AppError('grant_route_refused', `${what}: ${req.method} ${req.routeOptions.url}`, { route: req.routeOptions.url });
  }
  if (rule.kind === 'session') return null;
  const grant = actor.userId ? await latestGrantOf(db, actor.userId) : undefined;
  if (!grant) throw new AppError('grant_expired', 'you hold no auditor grant', {});
  const status = grantStatus(grant);
  if (status === 'revoked') throw new AppError('grant_revoked', 'your auditor grant was revoked', { grantId: grant.id });
  if (status === 'expired') {
    throw new AppError('grant_expired', `your auditor grant expired at ${grant.expires_at}`, {
      grantId: grant.id,
      expiresAt: grant.expires_at,
    });
  }
  req.auditorGrant = grant;
  return grant;
}

function outside(what: string, details: Record<string, unknown> = {}): AppError {
  return new AppError('grant_scope', `outside your auditor grant: ${what}`, details);
}

type Bag = Record<string, unknown>;

/** A list filter held to the grant's value: set when absent, refused when it names another. */
function narrow(bag: Bag, param: string, value: string | null, what: string): void {
  if (value === null) return;
  if (bag[param] === undefined || bag[param] === '') bag[param] = value;
  else if (bag[param] !== value) throw outside(`${what} ${String(bag[param])}`, { field: param, allowed: value });
}

const time = (value: unknown): number | null => {
  if (typeof value !== 'string') return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
};

/** from/to held within the grant's period: set when absent, refused when they reach outside it. */
function narrowPeriod(bag: Bag, grant: GrantRow): void {
  if (grant.period_from) {
    const from = time(bag.from);
    if (bag.from === undefined) bag.from = grant.period_from;
    else if (from !== null && from < Date.parse(grant.period_from)) throw outside(`from ${String(bag.from)}`, { field: 'from' });
  }
  if (grant.period_to) {
    const to = time(bag.to);
    if (bag.to === undefined) bag.to = grant.period_to;
    else if (to !== null && to > Date.parse(grant.period_to)) throw outside(`to ${String(bag.to)}`, { field: 'to' });
  }
}

async function systemOfRecord(db: Kysely<Database>, of: keyof typeof RECORD_SYSTEM, id: string): Promise<string | null | undefined> {
  const { table, column } = RECORD_SYSTEM[of];
  // The four tables share this shape (an id and a system column); Kysely cannot see it through the union.
  const row = await (db as unknown as Kysely<Record<string, { id: string } & Record<string, string | null>>>)
    .selectFrom(table)
    .select(column)
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? (row[column] ?? null) : undefined;
}

/** preValidation: the request's path, query and body within the grant. */
export async function checkGrantScope(db: Kysely<Database>, req: FastifyRequest, grant: GrantRow): Promise<void> {
  const rule = grantRuleOf(req.method === 'HEAD' ? 'GET' : req.method, req.routeOptions.url ?? '');
  const params = (req.params ?? {}) as Bag;
  const query = (req.query ?? {}) as Bag;
  switch (rule?.kind) {
    case undefined:
    case 'session':
    case 'catalog':
      return;
    case 'own-grants':
      narrow(query, 'auditorId', grant.auditor_id, 'the grants of');
      return;
    case 'own-grant':
      if (params.id !== grant.id) throw outside(`grant ${String(params.id)}`, { allowed: grant.id });
      return;
    case 'framework-path':
      if (grant.framework && params.id !== grant.framework) throw outside(`framework ${String(params.id)}`, { allowed: grant.framework });
      return;
    case 'system-path':
      if (grant.system_id && params.id !== grant.system_id) throw outside(`AI system ${String(params.id)}`, { allowed: grant.system_id });
      if (rule.period) narrowPeriod(query, grant);
      return;
    case 'all-systems':
      if (grant.system_id) throw outside('the list of every AI system (open your system instead)', { allowed: grant.system_id });
      return;
    case 'system-list':
      narrow(query, rule.param, grant.system_id, 'AI system');
      return;
    case 'record': {
      if (!grant.system_id) return;
      const systemId = await systemOfRecord(db, rule.of, String(params.id));
      // An unknown record is the route's own 404; a record of another system is out of scope.
      if (systemId !== undefined && systemId !== grant.system_id) throw outside(`${rule.of} ${String(params.id)}`);
      return;
    }
    case 'controls':
      narrow(query, 'framework', grant.framework, 'framework');
      narrow(query, 'system', grant.system_id, 'AI system');
      return;
    case 'ledger-events':
      narrow(query, 'systemId', grant.system_id, 'AI system');
      narrowPeriod(query, grant);
      return;
    case 'ledger-event': {
      const seq = Number(params.seq);
      if (!Number.isSafeInteger(seq)) return;
      const row = await db.selectFrom('ledger_events').select(['system_id', 'recorded_at']).where('seq', '=', seq).executeTakeFirst();
      if (!row) return;
      const inSystem = !grant.system_id || row.system_id === grant.system_id;
      const inPeriod =
        (!grant.period_from || row.recorded_at >= grant.period_from) && (!grant.period_to || row.recorded_at < grant.period_to);
      if (!inSystem || !inPeriod) throw outside(`ledger event ${seq}`);
      return;
    }
    case 'evidence-pack':
      checkPackScope((req.body ?? {}) as Bag, grant);
      return;
  }
}

/** A pack of the grant's system (or, for a framework grant, of its framework or one of its
 * controls), over the grant's period. */
function checkPackScope(body: Bag, grant: GrantRow): void {
  const scope = body.scope;
  const id = typeof body.id === 'string' ? body.id : undefined;
  if (grant.system_id) {
    if (scope !== 'system' || id !== grant.system_id) {
      throw outside(`a pack of ${String(scope)} ${id ?? ''}`.trim(), { allowed: { scope: 'system', id: grant.system_id } });
    }
  } else if (grant.framework) {
    const ok = (scope === 'framework' && id === grant.framework) || (scope === 'control' && id?.startsWith(`${grant.framework}:`));
    if (!ok) throw outside(`a pack of ${String(scope)} ${id ?? ''}`.trim(), { allowed: { scope: 'framework', id: grant.framework } });
  }
  narrowPeriod(body, grant);
}

/** onSend: the read, as a ledger event naming the grant; the answer waits for it. */
export async function logGrantRead(store: Store, req: FastifyRequest, reply: FastifyReply): Promise<void> {
  const grant = req.auditorGrant;
  if (!grant) return;
  req.auditorGrant = undefined; // once per request, even if a later hook re-sends
  const query = { ...((req.query ?? {}) as Bag) };
  await store.transact((trx) =>
    recordGrantRead(trx, {
      ctx: requestContext(req),
      read: {
        grantId: grant.id,
        method: req.method,
        route: req.routeOptions.url ?? req.url,
        url: req.url,
        query,
        status: reply.statusCode,
      },
    }),
  );
}

/** The grant's hooks beside the access hook (server/app.ts): each returns at once for everyone else.
 * Callback hooks, not async ones: every request runs them, and an async hook costs every request a
 * promise and a microtask turn even when it has nothing to do. */
export function installGrantHooks(app: App, store: Store): void {
  app.addHook('preValidation', (req, _reply, done) => {
    if (!req.auditorGrant) return done();
    checkGrantScope(store.db, req, req.auditorGrant).then(() => done(), done);
  });
  app.addHook('onSend', (req, reply, payload, done) => {
    if (!req.auditorGrant) return done(null, payload);
    logGrantRead(store, req, reply).then(() => done(null, payload), done);
  });
}
