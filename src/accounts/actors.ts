// Resolving who is calling: a session cookie or a bearer API token, to an Actor with the roles
// held at this moment.
import { createHash } from 'node:crypto';
import type { CompiledQuery, Kysely } from 'kysely';
import { type Actor, ROLES, type Role, TOKEN_SCOPES, type TokenScope } from '../context.js';
import type { Database } from '../db/schema.js';
import { readCompiled } from '../db/store.js';

export const sha256Hex = (value: string) => createHash('sha256').update(value).digest('hex');

/** Groups role rows into global roles (scope '') and roles per system; unknown role names are skipped. */
export function groupRoles(rows: ReadonlyArray<{ role: string; scope: string }>): Pick<Actor, 'roles' | 'systemRoles'> {
  const roles: Role[] = [];
  const systemRoles: Record<string, Role[]> = {};
  for (const row of rows) {
    if (!ROLES.includes(row.role as Role)) continue;
    if (row.scope === '') {
      roles.push(row.role as Role);
      continue;
    }
    const held = systemRoles[row.scope] ?? [];
    held.push(row.role as Role);
    systemRoles[row.scope] = held.sort();
  }
  return { roles: roles.sort(), systemRoles };
}

export async function loadRoles(db: Kysely<Database>, userId: string): Promise<Pick<Actor, 'roles' | 'systemRoles'>> {
  return groupRoles(await db.selectFrom('user_roles').select(['role', 'scope']).where('user_id', '=', userId).execute());
}

export interface SessionActor {
  actor: Actor;
  csrfToken: string;
  sessionIdHash: string;
  expiresAt: string;
}

export async function actorFromSession(db: Kysely<Database>, sessionId: string, now = new Date()): Promise<SessionActor | null> {
  const idHash = sha256Hex(sessionId);
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select([
      'sessions.csrf_token',
      'sessions.expires_at',
      'sessions.revoked_at',
      'users.id',
      'users.email',
      'users.display_name',
      'users.status',
    ])
    .where('sessions.id_hash', '=', idHash)
    .executeTakeFirst();
  if (!row || row.revoked_at !== null || row.status !== 'active' || row.expires_at <= now.toISOString()) return null;
  const roles = await loadRoles(db, row.id);
  return {
    actor: { kind: 'user', userId: row.id, email: row.email, displayName: row.display_name, ...roles },
    csrfToken: row.csrf_token,
    sessionIdHash: idHash,
    expiresAt: row.expires_at,
  };
}

/** Tokens look like `plt_<id>_<secret>`; only sha256(secret) is stored. */
export function parseToken(raw: string): { id: string; secret: string } | null {
  const match = /^plt_([A-Za-z0-9]{8,40})_([A-Za-z0-9_-]{20,100})$/.exec(raw);
  return match ? { id: match[1], secret: match[2] } : null;
}

export async function actorFromToken(db: Kysely<Database>, raw: string, now = new Date()): Promise<Actor | null> {
  return (await resolveToken(db, raw, now))?.actor ?? null;
}

async function resolveToken(db: Kysely<Database>, raw: string, now = new Date()): Promise<{ actor: Actor; expiresAt: string } | null> {
  const parsed = parseToken(raw);
  if (!parsed) return null;
  const row = await db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .select([
      'api_tokens.id as token_id',
      'api_tokens.secret_hash',
      'api_tokens.scopes',
      'api_tokens.expires_at',
      'api_tokens.revoked_at',
      'users.id',
      'users.email',
      'users.display_name',
      'users.status',
    ])
    .where('api_tokens.id', '=', parsed.id)
    .executeTakeFirst();
  if (!row || row.revoked_at !== null || row.status !== 'active' || row.expires_at <= now.toISOString()) return null;
  if (sha256Hex(parsed.secret) !== row.secret_hash) return null;
  const roles = await loadRoles(db, row.id);
  const scopes = row.scopes.split(',').filter((s): s is TokenScope => TOKEN_SCOPES.includes(s as TokenScope));
  return {
    actor: { kind: 'token', userId: row.id, email: row.email, displayName: row.display_name, ...roles, tokenId: row.token_id, scopes },
    expiresAt: row.expires_at,
  };
}
/** A short-lived memory of resolved tokens, for hot read paths (the runtime status endpoint is
 * called before every AI decision). A revoked or expired token keeps working for at most `ttlMs`;
 * failures are never cached, so a new token works at once. Routes opt in with
 * `config.actorCacheMs` (see server/access.ts). */
const tokenCache = new Map<string, { actor: Actor; until: number }>();
const TOKEN_CACHE_MAX = 10_000;

export async function cachedActorFromToken(db: Kysely<Database>, raw: string, ttlMs: number): Promise<Actor | null> {
  const now = Date.now();
  const hit = tokenCache.get(raw);
  if (hit && hit.until > now) return hit.actor;
  const actor = await actorFromToken(db, raw);
  if (actor) {
    if (tokenCache.size >= TOKEN_CACHE_MAX) tokenCache.clear();
    tokenCache.set(raw, { actor, until: now + ttlMs });
  } else tokenCache.delete(raw);
  return actor;
}

/**
 * Callers this process has resolved, per database, each remembered with the auth epoch it was read
 * under. The epoch (table auth_epoch) is moved by triggers on users, user_roles, api_tokens and
 * sessions, in the same statement as any change to them, by any process; one primary-key read of
 * it tells whether a remembered caller still holds. So a revoked token, an ended session, a
 * deactivated user or a changed role takes effect on the next request, in every process, while an
 * unchanged caller costs one small read instead of two joins. The epoch is read before the caller:
 * a change committing in between leaves the entry under the old epoch, which the next read rejects.
 * Expiry is checked on every use; failures are never remembered.
 */
interface Remembered<T> {
  value: T;
  epoch: number;
  /** expires_at of the token or session, in ms since the epoch (Infinity: none). */
  untilMs: number;
}
const remembered = new WeakMap<Kysely<Database>, Map<string, Remembered<unknown>>>();
const epochQueries = new WeakMap<Kysely<Database>, CompiledQuery>();
const REMEMBERED_MAX = 10_000;

/** One caller object serves many requests: nothing may change it. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/** The auth epoch now: one primary-key read. */
export async function authEpoch(db: Kysely<Database>): Promise<number> {
  let query = epochQueries.get(db);
  if (!query) {
    query = db.selectFrom('auth_epoch').select('n').where('id', '=', 1).compile();
    epochQueries.set(db, query);
  }
  const [row] = await readCompiled<{ n: number | string }>(db, query);
  return Number(row?.n ?? -1);
}

/** How a request may take its caller: `uncheckedFromMemory` accepts a remembered caller without
 * reading the epoch and is told the epoch it was remembered under, which the request must then
 * check before it writes or answers (server/caller-check.ts: on PostgreSQL, inside its first
 * write transaction, so the check costs no round trip of its own). */
export interface RememberOptions {
  uncheckedFromMemory?: (epoch: number) => void;
}

async function rememberedOr<T>(
  db: Kysely<Database>,
  key: string,
  load: () => Promise<T | null>,
  untilMs: (value: T) => number,
  options: RememberOptions = {},
): Promise<T | null> {
  let entries = remembered.get(db);
  if (!entries) {
    entries = new Map();
    remembered.set(db, entries);
  }
  const hit = entries.get(key) as Remembered<T> | undefined;
  if (hit && options.uncheckedFromMemory && Date.now() < hit.untilMs) {
    options.uncheckedFromMemory(hit.epoch);
    return hit.value;
  }
  const epoch = await authEpoch(db);
  if (hit && hit.epoch === epoch && Date.now() < hit.untilMs) return hit.value;
  const value = await load();
  if (value === null) {
    entries.delete(key);
    return null;
  }
  if (entries.size >= REMEMBERED_MAX) entries.clear();
  entries.set(key, { value: deepFreeze(value), epoch, untilMs: untilMs(value) });
  return value;
}

/** actorFromToken, remembered while the auth epoch stands still (see above). */
export async function rememberedActorFromToken(db: Kysely<Database>, raw: string, options?: RememberOptions): Promise<Actor | null> {
  const resolved = await rememberedOr(
    db,
    `t:${raw}`,
    () => resolveToken(db, raw),
    (token) => Date.parse(token.expiresAt),
    options,
  );
  return resolved?.actor ?? null;
}

/** actorFromSession, remembered while the auth epoch stands still (see above). */
export async function rememberedActorFromSession(
  db: Kysely<Database>,
  sessionId: string,
  options?: RememberOptions,
): Promise<SessionActor | null> {
  return rememberedOr(
    db,
    `s:${sessionId}`,
    () => actorFromSession(db, sessionId),
    (session) => Date.parse(session.expiresAt),
    options,
  );
}
