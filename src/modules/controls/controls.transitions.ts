// "When it changed": each computed status is compared with the one last recorded for its control
// and scope; only those that differ are written (current status + one transition row), in one
// short transaction, and nothing at all when none differs. Not ledger evidence: derived data.
import type { Store, Tx } from '../../db/store.js';
import type { ControlStatus } from './controls.rules.js';

export interface ComputedStatus {
  controlId: string;
  /** '' for the organisation, else an AI system's id. */
  scope: string;
  status: ControlStatus;
}

const CHUNK = 400;

/** By control, then by scope: no composite string key per lookup (for 1,000 systems, 11,000 of them
 * a call, each concatenated and hashed three times, were a third of an evaluation). */
type Recorded = Map<string, Map<string, { status: ControlStatus; since: string }>>;

const recordedOf = (recorded: Recorded, controlId: string, scope: string) => recorded.get(controlId)?.get(scope);

function setRecorded(recorded: Recorded, controlId: string, scope: string, value: { status: ControlStatus; since: string }) {
  const byScope = recorded.get(controlId) ?? new Map<string, { status: ControlStatus; since: string }>();
  byScope.set(scope, value);
  recorded.set(controlId, byScope);
}

/** Records the statuses that changed; returns, for every computed one, since when it has held. */
export async function trackStatusChanges(store: Store, computed: ComputedStatus[], now: Date): Promise<Recorded> {
  const controlIds = [...new Set(computed.map((c) => c.controlId))];
  const recorded: Recorded = new Map();
  for (let i = 0; i < controlIds.length; i += CHUNK) {
    const rows = await store.db
      .selectFrom('control_status')
      .select(['control_id', 'scope', 'status', 'since'])
      .where('control_id', 'in', controlIds.slice(i, i + CHUNK))
      .execute();
    for (const r of rows) setRecorded(recorded, r.control_id, r.scope, { status: r.status, since: r.since });
  }
  const at = now.toISOString();
  const changed = computed.filter((c) => recordedOf(recorded, c.controlId, c.scope)?.status !== c.status);
  if (changed.length > 0) await store.transact((trx) => recordChanges(trx, changed, recorded, at));
  // What holds now: the changed ones since now, the others since they were recorded.
  for (const c of changed) setRecorded(recorded, c.controlId, c.scope, { status: c.status, since: at });
  return recorded;
}

async function recordChanges(trx: Tx, changed: ComputedStatus[], recorded: Recorded, at: string) {
  for (let i = 0; i < changed.length; i += CHUNK) {
    const chunk = changed.slice(i, i + CHUNK);
    await trx
      .insertInto('control_status')
      .values(chunk.map((c) => ({ control_id: c.controlId, scope: c.scope, status: c.status, since: at })))
      .onConflict((oc) =>
        oc.columns(['control_id', 'scope']).doUpdateSet((eb) => ({ status: eb.ref('excluded.status'), since: eb.ref('excluded.since') })),
      )
      .execute();
    await trx
      .insertInto('control_status_transitions')
      .values(
        chunk.map((c) => ({
          control_id: c.controlId,
          scope: c.scope,
          from_status: recordedOf(recorded, c.controlId, c.scope)?.status ?? null,
          to_status: c.status,
          changed_at: at,
        })),
      )
      .execute();
  }
}

export const sinceOf = (since: Recorded, controlId: string, scope: string) => recordedOf(since, controlId, scope)?.since ?? null;
