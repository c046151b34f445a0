// Notes: a person's annotation on the ledger (an auditor's remark, a correction of an earlier
// event). The ledger itself is never edited; a note is a new event that references the old ones.
import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../context.js';
import type { Tx } from '../db/store.js';
import { AppError } from '../errors.js';
import { requireRationale } from '../rationale.js';
import { appendEvent, sequenceOf } from './ledger.service.js';

export interface NoteInput {
  text: string;
  /** Event ids the note is about; each must exist. */
  references?: string[];
}

export async function addLedgerNote(trx: Tx, { ctx, note }: { ctx: RequestContext; note: NoteInput }) {
  const text = requireRationale(note.text, { field: 'text', minimum: ctx.policies.minRationaleLength });
  const references = [...new Set(note.references ?? [])];
  if (references.length > 0) {
    const found = await trx.selectFrom('ledger_events').select('event_id').where('event_id', 'in', references).execute();
    const missing = references.filter((id) => !found.some((row) => row.event_id === id));
    if (missing.length > 0) {
      throw new AppError('validation_failed', `references: no ledger event ${missing[0]}`, { field: 'references', missing });
    }
  }
  const row = {
    id: randomUUID(),
    text,
    references: JSON.stringify(references),
    created_by: ctx.actor.userId,
    created_at: new Date().toISOString(),
  };
  await trx.insertInto('ledger_notes').values(row).execute();
  const event = await appendEvent(trx, ctx, {
    type: 'ledger.note',
    subject: { type: 'ledger_note', id: row.id, version: 1 },
    reason: text,
    references,
  });
  return { id: row.id, text: row.text, references, createdAt: row.created_at, seq: sequenceOf(event), eventId: event.eventId };
}
