// Ledger events as evidence: each event read with the controls it evidences (the mapping applied on
// read, leaves unchanged), and the events that evidence one control. A filter by control reads only
// the event types that can evidence it (the type index); where a type evidences it only under a
// fact, the fact is checked on each candidate's leaf.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { AppError } from '../errors.js';
import { type EventFilter, type EventRecord, type EventSelection, listEvents, streamEvents } from '../ledger/ledger.repository.js';
import type { PageOf } from '../server/http.js';
import { FRAMEWORK_IDS, normaliseControlId } from './catalog.js';
import { controlsFor, type EvidenceEvent, eventTypesEvidencing, recordedControls } from './event-controls.js';

export interface EvidenceRecord extends EventRecord {
  /** The controls the event evidences, by the mapping (frameworks/event-controls.ts). */
  controls: string[];
  /** The tags the leaf itself carries (older events), in canonical spelling. */
  recordedControls: string[];
}

export function withControls(record: EventRecord): EvidenceRecord {
  const event = record.event as unknown as EvidenceEvent;
  return { ...record, controls: controlsFor(event), recordedControls: recordedControls(event) };
}

/** A control id in any known spelling -> its canonical id; `validation_failed` when it names none. */
export function requireControlId(control: string, field = 'control'): string {
  const id = normaliseControlId(control);
  if (!id) {
    throw new AppError('validation_failed', `${field}: ${control} is not a control of the catalogs (e.g. iso42001:A.9.2, gdpr:art-33)`, {
      field,
      frameworks: [...FRAMEWORK_IDS],
    });
  }
  return id;
}

/** Which rows to read for a control, and whether each one read still has to be checked. */
function selection(controlId: string, type: string | undefined) {
  const evidencing = eventTypesEvidencing(controlId).filter((e) => type === undefined || e.eventType === type);
  return {
    types: evidencing.map((e) => e.eventType),
    needsFacts: evidencing.some((e) => e.fact !== null),
  };
}

/**
 * A page of events (oldest first) with their controls; with `control`, only the events that
 * evidence it. `total` counts every match.
 */
export async function listEvidence(db: Kysely<Database>, filter: EventFilter & { control?: string }): Promise<PageOf<EvidenceRecord>> {
  const { control, ...rest } = filter;
  if (control === undefined) {
    const page = await listEvents(db, rest);
    return { ...page, items: page.items.map(withControls) };
  }
  const controlId = requireControlId(control);
  const { types, needsFacts } = selection(controlId, rest.type);
  const { type: _type, ...others } = rest;
  if (!needsFacts) {
    const page = await listEvents(db, { ...others, types });
    return { ...page, items: page.items.map(withControls) };
  }
  // Some candidates evidence the control only under a fact: read them all (bounded pages by
  // sequence number), keep the page asked for and count the rest.
  const { limit, offset, ...selectionFilter } = others;
  const items: EvidenceRecord[] = [];
  let total = 0;
  for await (const record of streamEvents(db, { ...selectionFilter, types })) {
    const evidence = withControls(record);
    if (!evidence.controls.includes(controlId)) continue;
    if (total >= offset && items.length < limit) items.push(evidence);
    total += 1;
  }
  return { items, total, limit, offset };
}

/** Every event matching `filter` (and evidencing `control`, when given), oldest first, with its controls. */
export async function* streamEvidence(
  db: Kysely<Database>,
  filter: EventSelection & { control?: string },
  options: { pageSize?: number } = {},
): AsyncGenerator<EvidenceRecord> {
  const { control, ...rest } = filter;
  if (control === undefined) {
    for await (const record of streamEvents(db, rest, options)) yield withControls(record);
    return;
  }
  const controlId = requireControlId(control);
  const { type: _type, ...others } = rest;
  for await (const record of streamEvents(db, { ...others, types: selection(controlId, rest.type).types }, options)) {
    const evidence = withControls(record);
    if (evidence.controls.includes(controlId)) yield evidence;
  }
}
