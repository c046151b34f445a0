// What waits for one approver: every open step of a pending request they may fill (in their own
// right or as a delegate), with its age; expired approvals show as renewals due.
import { displayNames, nameOf } from '../../accounts/display-names.js';
import type { Tx } from '../../db/store.js';
import { activeDelegationsTo, candidateOf, systemRefOf } from '../../governance/approvers.js';
import { type Candidate, peopleOf, qualifyingRole } from '../../governance/chain.js';
import { loadRequestState } from '../../governance/requests.repository.js';

export interface QueueItem {
  requestId: string;
  kind: string;
  title: string;
  systemId: string | null;
  subjectId: string;
  stepIndex: number;
  stepName: string;
  onBehalfOf: string | null;
  /** The display name of the person this approver would sign for. */
  onBehalfOfName: string | null;
  contentDigest: string;
  revision: number;
  waitingSince: string;
  ageSeconds: number;
  renewalDue: boolean;
  retrospectiveDueAt: string | null;
}

export async function listQueue(trx: Tx, { approver, now = new Date() }: { approver: Candidate; now?: Date }) {
  const pending = await trx.selectFrom('approval_requests').select('id').where('status', '=', 'pending').orderBy('created_at').execute();
  const delegators = await Promise.all((await activeDelegationsTo(trx, approver.userId, now)).map((d) => candidateOf(trx, d.delegator_id)));
  const items: QueueItem[] = [];
  for (const { id } of pending) {
    const state = await loadRequestState(trx, id, now);
    const { request, chain } = state;
    const excluded = new Set([request.requested_by, request.emergency_by, ...peopleOf(chain.steps.flatMap((s) => s.approvals))]);
    if (excluded.has(approver.userId)) continue;
    const system = await systemRefOf(trx, request.system_id);
    // The stage opened when its last earlier approval was given (or when this revision started).
    const earlier = chain.steps
      .filter((s) => chain.openStage !== null && s.step.stage < chain.openStage)
      .flatMap((s) => s.approvals.map((a) => a.decidedAt));
    const waitingSince = [request.revised_at, ...earlier].sort().at(-1) ?? request.revised_at;
    for (const step of chain.openSteps) {
      const own = qualifyingRole(step.step, approver, system) ? null : undefined;
      const via = own === null ? null : delegators.find((d) => !excluded.has(d.userId) && qualifyingRole(step.step, d, system));
      if (own === undefined && !via) continue;
      items.push({
        requestId: id,
        kind: request.kind,
        title: request.title,
        systemId: request.system_id,
        subjectId: request.subject_id,
        stepIndex: step.index,
        stepName: step.step.name,
        onBehalfOf: via ? via.userId : null,
        onBehalfOfName: null,
        contentDigest: request.content_digest,
        revision: Number(request.revision),
        waitingSince,
        ageSeconds: Math.max(0, Math.floor((now.getTime() - Date.parse(waitingSince)) / 1000)),
        renewalDue: step.expired.length > 0,
        retrospectiveDueAt: request.retrospective_due_at,
      });
    }
  }
  items.sort((a, b) => b.ageSeconds - a.ageSeconds);
  const names = await displayNames(
    trx,
    items.map((item) => item.onBehalfOf),
  );
  for (const item of items) item.onBehalfOfName = nameOf(names, item.onBehalfOf);
  const byKind: Record<string, number> = {};
  for (const item of items) byKind[item.kind] = (byKind[item.kind] ?? 0) + 1;
  return {
    items,
    counts: {
      total: items.length,
      byKind,
      renewalsDue: items.filter((i) => i.renewalDue).length,
      oldestAgeSeconds: items[0]?.ageSeconds ?? 0,
    },
  };
}
