// Tells approvers that a request waits for them: one email each, queued in the transaction that
// opened their step (delivered after commit by the notification outbox).
import type { Tx } from '../../db/store.js';
import { reachableApprovers, systemRefOf } from '../../governance/approvers.js';
import { peopleOf } from '../../governance/chain.js';
import type { RequestState } from '../../governance/requests.repository.js';
import { enqueueEmail } from '../../notifications/notifications.service.js';

export async function notifyOpenSteps(
  trx: Tx,
  { request, chain }: RequestState,
  now: Date,
  reason = 'waits for your decision',
): Promise<string[]> {
  const system = await systemRefOf(trx, request.system_id);
  const done = peopleOf(chain.steps.flatMap((s) => s.approvals));
  const steps = new Map<string, string[]>();
  for (const open of chain.openSteps) {
    for (const person of await reachableApprovers(trx, open.step, system, now)) {
      if (person.userId === request.requested_by || done.has(person.userId)) continue;
      if (person.onBehalfOf && (person.onBehalfOf === request.requested_by || done.has(person.onBehalfOf))) continue;
      steps.set(person.userId, [...(steps.get(person.userId) ?? []), open.step.name]);
    }
  }
  if (steps.size === 0) return [];
  const users = await trx
    .selectFrom('users')
    .select(['id', 'email'])
    .where('id', 'in', [...steps.keys()])
    .execute();
  const queued: string[] = [];
  for (const user of users) {
    const stepNames = [...new Set(steps.get(user.id))].join(', ');
    await enqueueEmail(trx, {
      to: user.email,
      kind: 'approval.waiting',
      subject: `Approval ${reason}: ${request.title}`,
      body: [
        `The ${request.kind} request "${request.title}" ${reason}.`,
        `Step: ${stepNames}`,
        `Request: ${request.id} (revision ${request.revision})`,
        `Content digest (SHA-256) to sign: ${request.content_digest}`,
        '',
        `Decide with: proofline approvals decide ${request.id} --as ${user.email} --approve --rationale "..."`,
      ].join('\n'),
    });
    queued.push(user.email);
  }
  return queued;
}
