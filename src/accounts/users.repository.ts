// Typed reads of users and their roles, and the presenter that maps rows to the API shape.
import { type Kysely, type Selectable, sql } from 'kysely';
import type { Role } from '../context.js';
import type { Database } from '../db/schema.js';
import type { PageOf } from '../server/http.js';
import type { UsersTable } from './accounts.tables.js';
import { groupRoles, loadRoles } from './actors.js';
import type { UserView } from './users.schema.js';

export const USER_COLUMNS = [
  'id',
  'email',
  'display_name',
  'password_hash',
  'status',
  'locked_until',
  'created_at',
  'updated_at',
  'version',
] as const;

export type UserRow = Pick<Selectable<UsersTable>, (typeof USER_COLUMNS)[number]>;

export interface HeldRoles {
  roles: Role[];
  systemRoles: Record<string, Role[]>;
}

export function presentUser(row: UserRow, held: HeldRoles): UserView {
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    status: row.status,
    roles: held.roles,
    systemRoles: held.systemRoles,
    hasPassword: row.password_hash !== null,
    lockedUntil: row.locked_until,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: Number(row.version),
  };
}

export async function findUserRow(db: Kysely<Database>, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').select(USER_COLUMNS).where('id', '=', id).executeTakeFirst();
}

export async function findUserRowByEmail(db: Kysely<Database>, email: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').select(USER_COLUMNS).where('email', '=', email.trim().toLowerCase()).executeTakeFirst();
}

export async function getUserView(db: Kysely<Database>, id: string): Promise<UserView | undefined> {
  const row = await findUserRow(db, id);
  return row ? presentUser(row, await loadRoles(db, id)) : undefined;
}

export interface UserFilter {
  status?: 'active' | 'deactivated';
  role?: Role;
  systemId?: string;
  email?: string;
  limit: number;
  offset: number;
}

/** LIKE pattern matching `text` anywhere, with the wildcards in `text` escaped (escape char '!'). */
const containsPattern = (text: string) => `%${text.toLowerCase().replace(/[!%_]/g, (c) => `!${c}`)}%`;

export async function listUsers(db: Kysely<Database>, filter: UserFilter): Promise<PageOf<UserView>> {
  let query = db.selectFrom('users');
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.role) {
    const role = filter.role;
    query = query.where('id', 'in', (eb) => eb.selectFrom('user_roles').select('user_id').where('role', '=', role));
  }
  if (filter.systemId) {
    const scope = filter.systemId;
    query = query.where('id', 'in', (eb) => eb.selectFrom('user_roles').select('user_id').where('scope', '=', scope));
  }
  // Emails are stored lower-cased, so a lower-cased pattern matches case-insensitively on both dialects.
  if (filter.email) query = query.where(sql<boolean>`email like ${containsPattern(filter.email)} escape '!'`);
  const [rows, count] = await Promise.all([
    query.select(USER_COLUMNS).orderBy('email', 'asc').limit(filter.limit).offset(filter.offset).execute(),
    query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  const held = await rolesOf(
    db,
    rows.map((r) => r.id),
  );
  return {
    items: rows.map((row) => presentUser(row, held.get(row.id) ?? { roles: [], systemRoles: {} })),
    total: Number(count.n),
    limit: filter.limit,
    offset: filter.offset,
  };
}

/** Roles of many users in one query. */
async function rolesOf(db: Kysely<Database>, userIds: string[]): Promise<Map<string, HeldRoles>> {
  if (userIds.length === 0) return new Map();
  const rows = await db.selectFrom('user_roles').select(['user_id', 'role', 'scope']).where('user_id', 'in', userIds).execute();
  return new Map(userIds.map((id) => [id, groupRoles(rows.filter((r) => r.user_id === id))]));
}

/** Active users holding the global admin role, other than `exceptUserId`. */
export async function countOtherActiveAdmins(db: Kysely<Database>, exceptUserId: string): Promise<number> {
  const row = await db
    .selectFrom('users')
    .innerJoin('user_roles', 'user_roles.user_id', 'users.id')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('users.status', '=', 'active')
    .where('user_roles.role', '=', 'admin')
    .where('user_roles.scope', '=', '')
    .where('users.id', '!=', exceptUserId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
