// A record of each full verification of the ledger (who, when, what it found), so the dashboard can
// say when the ledger was last verified. Kept beside the ledger, not in it: a verification that
// appended an event would change the tree it had just checked.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Store } from '../db/store.js';
import type { VerifyReport } from './verify.service.js';

export async function recordVerification(
  store: Store,
  { report, verifiedBy, channel }: { report: VerifyReport; verifiedBy: string | null; channel: 'api' | 'cli' },
): Promise<void> {
  await store.transact((trx) =>
    trx
      .insertInto('ledger_verifications')
      .values({
        id: randomUUID(),
        verified_at: new Date().toISOString(),
        ok: report.ok ? 1 : 0,
        events: report.events,
        checkpoints_checked: report.checkpointsChecked,
        problem_kind: report.problem?.kind ?? null,
        problem_seq: report.problem?.seq ?? null,
        verified_by: verifiedBy,
        channel,
      })
      .execute(),
  );
}

export async function lastVerification(db: Kysely<Database>) {
  const row = await db
    .selectFrom('ledger_verifications')
    .select(['verified_at', 'ok', 'events', 'checkpoints_checked', 'problem_kind', 'problem_seq', 'verified_by', 'channel'])
    .orderBy('verified_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row
    ? {
        verifiedAt: row.verified_at,
        ok: row.ok === 1,
        events: Number(row.events),
        checkpointsChecked: Number(row.checkpoints_checked),
        problemKind: row.problem_kind,
        problemSeq: row.problem_seq === null ? null : Number(row.problem_seq),
        verifiedBy: row.verified_by,
        channel: row.channel,
      }
    : null;
}
