// Follows the ledger: every event after a sequence number, read in pages, then each new one as it
// commits, found by polling (one indexed `seq >` read; nothing added to the append path). For the
// SIEM stream (stream.routes.ts) and `proofline ledger stream`; ends when `signal` aborts.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { type EventRecord, streamEvents } from './ledger.repository.js';

export const FOLLOW_POLL_MS = 250;

export async function* followLedger(
  db: Kysely<Database>,
  {
    afterSeq,
    signal,
    pollMs = FOLLOW_POLL_MS,
    pageSize = 500,
  }: { afterSeq?: number; signal: AbortSignal; pollMs?: number; pageSize?: number },
): AsyncGenerator<EventRecord> {
  let after = afterSeq;
  while (!signal.aborted) {
    for await (const record of streamEvents(db, { afterSeq: after }, { pageSize })) {
      if (signal.aborted) return;
      yield record;
      after = record.seq;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, pollMs);
      signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });
  }
}
