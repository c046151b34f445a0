// The leaf bytes of one event, written directly: the same RFC 8785 text canonicalJson produces for
// the event object (a test holds the two equal), without sorting and quoting the envelope's
// seventeen known keys on every append, which was a large part of an append's cost.
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
  controls?: string[];
  data?: unknown;
  requestId: string;
  sourceAddress?: string;
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

/** The envelope's keys in RFC 8785 order (UTF-16 code units), each with how to write its value. */
const FIELDS: Array<[keyof EventEnvelope, (value: never) => string]> = [
  ['actor', actorJson],
  ['after', canonicalJson],
  ['before', canonicalJson],
  ['controls', canonicalJson],
  ['data', canonicalJson],
  ['id', JSON.stringify],
  ['onBehalfOf', JSON.stringify],
  ['patch', canonicalJson],
  ['reason', JSON.stringify],
  ['recordedAt', JSON.stringify],
  ['references', canonicalJson],
  ['requestId', JSON.stringify],
  ['seq', JSON.stringify],
  ['sourceAddress', JSON.stringify],
  ['subject', canonicalJson],
  ['type', JSON.stringify],
  ['v', JSON.stringify],
];

export function eventLeaf(event: EventEnvelope): string {
  let out = '{';
  for (const [key, write] of FIELDS) {
    const value = event[key];
    if (value === undefined) continue;
    if (out.length > 1) out += ',';
    out += `"${key}":${write(value as never)}`;
  }
  return `${out}}`;
}
