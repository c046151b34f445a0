// People's display names for responses that carry user ids: one query for a whole page of rows
// (an `in (...)` lookup, 500 ids at a time), never one per row.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

/** The display name of each known id (deactivated users keep their name; unknown ids are absent). */
export async function displayNames(db: Kysely<Database>, ids: Iterable<string | null | undefined>): Promise<Map<string, string>> {
  const unique = [...new Set([...ids].filter((id): id is string => typeof id === 'string'))];
  const names = new Map<string, string>();
  for (let i = 0; i < unique.length; i += 500) {
    const rows = await db
      .selectFrom('users')
      .select(['id', 'display_name'])
      .where('id', 'in', unique.slice(i, i + 500))
      .execute();
    for (const row of rows) names.set(row.id, row.display_name);
  }
  return names;
}

/** The name of `id` in `names`, or null when there is no id (or no such user). */
export const nameOf = (names: Map<string, string>, id: string | null | undefined): string | null => (id ? (names.get(id) ?? null) : null);

/** `ownerId` -> `ownerName`, `createdBy` -> `createdByName`: the name field beside a user id field. */
export type NameKey<K extends string> = K extends `${infer X}Id` ? `${X}Name` : `${K}Name`;
export type Named<T, K extends keyof T & string> = T & { [P in K as NameKey<P>]: string | null };

export const nameKey = (key: string): string => (key.endsWith('Id') ? `${key.slice(0, -2)}Name` : `${key}Name`);

/** The user ids in `keys` of each view (for one `displayNames` lookup over a whole page). */
export function idsIn<T, K extends keyof T & string>(views: readonly T[], keys: readonly K[]): Array<string | null> {
  return views.flatMap((view) => keys.map((key) => (typeof view[key] === 'string' ? (view[key] as string) : null)));
}

/** `view` with `xName` beside each user id field `x`/`xId` in `keys` (null when the id is null or unknown). */
export function withNames<T extends object, K extends keyof T & string>(
  view: T,
  keys: readonly K[],
  names: Map<string, string>,
): Named<T, K> {
  const added: Record<string, string | null> = {};
  for (const key of keys) {
    const id = view[key];
    added[nameKey(key)] = nameOf(names, typeof id === 'string' ? id : null);
  }
  return { ...view, ...added } as Named<T, K>;
}
