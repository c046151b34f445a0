// Evaluated control status, kept per database while the facts it was read from stand. Every change
// of those facts (systems, phase owners, approvals, rosters, exceptions) writes a ledger event in the
// same transaction, so the ledger's size says whether any of them changed; the last verification is
// kept beside the ledger and is part of the version too; and time alone turns an open exception
// overdue, so an entry is good only until the next due date of an open exception. A hit is therefore
// exactly what a full evaluation would give (controls.test.ts compares both after random changes).

import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { MANDATORY_REVIEW_KINDS, OPEN_REVIEW_STATUSES } from '../../governance/review-schedule.js';
import { OPEN_EXCEPTION } from './controls.rules.js';

type Db = Kysely<Database>;

/** What an entry was computed from: the ledger's size and the last verification's outcome. */
async function factsVersion(db: Db): Promise<string> {
  // The ledger's size is read before anything else: facts read after it are at least as new, so an
  // entry can only be stale-marked too early (one more evaluation), never kept too long.
  const head = await db.selectFrom('ledger_head').select('size').where('id', '=', 1).executeTakeFirst();
  const verification = await db
    .selectFrom('ledger_verifications')
    .select(['verified_at', 'ok'])
    .orderBy('verified_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return `${Number(head?.size ?? 0)}|${verification ? `${verification.verified_at}|${Number(verification.ok)}` : 'never'}`;
}

/** The first instant after `now` at which an open exception (of the system, or any) becomes overdue. */
async function nextOverdueAt(db: Db, now: Date, systemId: string | undefined): Promise<string | null> {
  const at = now.toISOString();
  const [exception, review] = await Promise.all([
    db
      .selectFrom('exceptions')
      .select((eb) => eb.fn.min('due_at').as('due'))
      .where('status', 'in', [...OPEN_EXCEPTION])
      .where('due_at', '>=', at)
      .$if(systemId !== undefined, (q) => q.where('system_id', '=', systemId as string))
      .executeTakeFirst(),
    // A mandatory review still open falls overdue by time alone too (governance/review-schedule.ts).
    db
      .selectFrom('reviews')
      .select((eb) => eb.fn.min('due_at').as('due'))
      .where('status', 'in', [...OPEN_REVIEW_STATUSES])
      .where('kind', 'in', [...MANDATORY_REVIEW_KINDS])
      .where('due_at', '>=', at)
      .$if(systemId !== undefined, (q) => q.where('system_id', '=', systemId as string))
      .executeTakeFirst(),
  ]);
  const dues = [exception?.due, review?.due].filter((d): d is string => typeof d === 'string');
  return dues.length === 0 ? null : dues.sort()[0];
}

interface Entry {
  version: string;
  /** Good for `now` in [from, until): until null = no open exception falls due later. */
  from: string;
  until: string | null;
  value: unknown;
}

/** A few scopes per database (the organisation and the systems last asked for), oldest dropped first. */
const MAX_ENTRIES = 64;
const entries = new WeakMap<Db, Map<string, Entry>>();

/**
 * `compute()` for this database and key, or its last result when nothing it was read from has
 * changed since. `systemId` narrows the due dates looked at to that system's exceptions.
 */
export async function cachedEvaluation<T>(
  db: Db,
  { key, now, systemId }: { key: string; now: Date; systemId?: string },
  compute: () => Promise<T>,
): Promise<T> {
  const version = await factsVersion(db);
  const at = now.toISOString();
  const cache = entries.get(db) ?? new Map<string, Entry>();
  entries.set(db, cache);
  const hit = cache.get(key);
  if (hit && hit.version === version && at >= hit.from && (hit.until === null || at < hit.until)) return hit.value as T;
  const value = await compute();
  const until = await nextOverdueAt(db, now, systemId);
  cache.delete(key);
  cache.set(key, { version, from: at, until, value });
  if (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
  return value;
}
