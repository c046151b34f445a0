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

const key = (controlId: string, scope: string) => `${controlId}\u0000${scope}`;
const CHUNK = 400;

/** Records the statuses that changed; returns, for every computed one, since when it has held. */
export async function trackStatusChanges(store: Store, computed: ComputedStatus[], now: Date): Promise<Map<string, string>> {
  const controlIds = [...new Set(computed.map((c) => c.controlId))];
  const recorded = new Map<string, { status: ControlStatus; since: string }>();
  for (let i = 0; i < controlIds.length; i += CHUNK) {
    const rows = await store.db
      .selectFrom('control_status')
      .select(['control_id', 'scope', 'status', 'since'])
      .where('control_id', 'in', controlIds.slice(i, i + CHUNK))
      .execute();
    for (const r of rows) recorded.set(key(r.control_id, r.scope), { status: r.status, since: r.since });
  }
  const at = now.toISOString();
  const changed = computed.filter((c) => recorded.get(key(c.controlId, c.scope))?.status !== c.status);
  if (changed.length > 0) await store.transact((trx) => recordChanges(trx, changed, recorded, at));
  const since = new Map<string, string>();
  for (const c of computed)
    since.set(
      key(c.controlId, c.scope),
      recorded.get(key(c.controlId, c.scope))?.status === c.status ? (recorded.get(key(c.controlId, c.scope))?.since as string) : at,
    );
  return since;
}

async function recordChanges(trx: Tx, changed: ComputedStatus[], recorded: Map<string, { status: ControlStatus }>, at: string) {
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
          from_status: recorded.get(key(c.controlId, c.scope))?.status ?? null,
          to_status: c.status,
          changed_at: at,
        })),
      )
      .execute();
  }
}

export const sinceOf = (since: Map<string, string>, controlId: string, scope: string) => since.get(key(controlId, scope)) ?? null;
