// The leaf bytes of one event, written directly: the same RFC 8785 text canonicalJson produces for
// the event object (a test holds the two equal), without sorting and quoting the envelope's
// eighteen known keys on every append, which was a large part of an append's cost.
import { canonicalJson } from './canonical.js';

export interface EventEnvelope {
  v: number;
  seq: number;
  id: string;
  type: string;
  recordedAt: string;
  actor: object;
  onBehalfOf?: string;
  subject: object;
  before?: unknown;
  after?: unknown;
  patch?: unknown;
  reason?: string;
  references?: string[];
  /** Control tags of events written before the mapping (frameworks/event-controls.ts); no longer written. */
  controls?: string[];
  data?: unknown;
  requestId: string;
  sourceAddress?: string;
  /** Command-line origin ({channel, credential, host, osUser}); absent for HTTP and older events. */
  via?: object;
}

// All events of one append share one actor object (actorForLedger makes a fresh one per call and
// nothing mutates it), so its canonical form is written once per batch, not once per event.
let lastActor: object | undefined;
let lastActorJson = '';
function actorJson(actor: object): string {
  if (actor !== lastActor) {
    lastActorJson = canonicalJson(actor);
    lastActor = actor;
  }
  return lastActorJson;
}

const str = JSON.stringify;

/** The envelope written key by key in RFC 8785 order (UTF-16 code units), optional keys left out
 * when undefined. The subject ({id, type, version?}) is written inline: it is on every event. */
export function eventLeaf(e: EventEnvelope): string {
  const [head, tail] = eventLeafParts(e);
  return head + str(e.seq) + tail;
}

/** The leaf around its sequence number: leaf = head + String(seq) + tail. An event queued before it
 * has a sequence number (PostgreSQL, ledger/integrator.ts) is stored as these two parts, so the
 * integrator makes its leaf by concatenation, without parsing or canonicalising anything again. */
export function eventLeafParts(e: Omit<EventEnvelope, 'seq'>): [head: string, tail: string] {
  let out = `{"actor":${actorJson(e.actor)}`;
  if (e.after !== undefined) out += `,"after":${canonicalJson(e.after)}`;
  if (e.before !== undefined) out += `,"before":${canonicalJson(e.before)}`;
  if (e.controls !== undefined) out += `,"controls":${canonicalJson(e.controls)}`;
  if (e.data !== undefined) out += `,"data":${canonicalJson(e.data)}`;
  out += `,"id":${str(e.id)}`;
  if (e.onBehalfOf !== undefined) out += `,"onBehalfOf":${str(e.onBehalfOf)}`;
  if (e.patch !== undefined) out += `,"patch":${canonicalJson(e.patch)}`;
  if (e.reason !== undefined) out += `,"reason":${str(e.reason)}`;
  out += `,"recordedAt":${str(e.recordedAt)}`;
  if (e.references !== undefined) out += `,"references":${canonicalJson(e.references)}`;
  const head = `${out},"requestId":${str(e.requestId)},"seq":`;
  out = '';
  if (e.sourceAddress !== undefined) out += `,"sourceAddress":${str(e.sourceAddress)}`;
  out += `,"subject":${subjectJson(e.subject)},"type":${str(e.type)},"v":${str(e.v)}`;
  if (e.via !== undefined) out += `,"via":${canonicalJson(e.via)}`;
  return [head, `${out}}`];
}

function subjectJson(subject: EventEnvelope['subject']): string {
  const { id, type, version } = subject as { id?: unknown; type?: unknown; version?: unknown };
  const keys = Object.keys(subject);
  const plain = typeof id === 'string' && typeof type === 'string' && (version === undefined || Number.isSafeInteger(version));
  if (!plain || keys.some((k) => k !== 'id' && k !== 'type' && k !== 'version')) return canonicalJson(subject);
  return version === undefined ? `{"id":${str(id)},"type":${str(type)}}` : `{"id":${str(id)},"type":${str(type)},"version":${version}}`;
}
