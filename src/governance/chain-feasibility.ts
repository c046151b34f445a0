// Can this chain be completed at all? A request that nobody can complete is refused when it is filed,
// with the reason, instead of waiting forever: the usual case is an accountable owner who files a
// request and is the only person who may fill its "system owner" step (nobody approves their own
// request). Each person counts once across the chain, so this is a matching of distinct people to
// the steps' required signatures.
import type { Tx } from '../db/store.js';
import { AppError } from '../errors.js';
import { reachableApprovers, type SystemRef } from './approvers.js';
import type { PolicyStep } from './policies.js';

export interface UnfillableStep {
  step: string;
  required: number;
  /** Everyone who may fill it in their own right or through a delegation, the requester included. */
  eligible: string[];
}

/** Whether each step can get its `required` signatures from distinct people (augmenting paths). */
export function canFill(steps: Array<{ required: number; people: string[] }>): boolean {
  const slots = steps.flatMap((step, index) => Array.from({ length: step.required }, () => index));
  const holder = new Map<string, number>(); // person -> slot they fill
  const slotPeople = slots.map((stepIndex) => steps[stepIndex].people);
  const assign = (slot: number, seen: Set<string>): boolean => {
    for (const person of slotPeople[slot]) {
      if (seen.has(person)) continue;
      seen.add(person);
      const current = holder.get(person);
      if (current === undefined || assign(current, seen)) {
        holder.set(person, slot);
        return true;
      }
    }
    return false;
  };
  return slots.every((_, slot) => assign(slot, new Set()));
}

/** Refuses (`chain_unfillable`) a request whose chain its requester's colleagues cannot complete. */
export async function assertChainFillable(
  trx: Tx,
  { steps, system, requesterId, now }: { steps: PolicyStep[]; system: SystemRef | null; requesterId: string; now: Date },
): Promise<void> {
  const perStep = await Promise.all(
    steps.map(async (step) => {
      const reachable = await reachableApprovers(trx, step, system, now);
      const eligible = [...new Set(reachable.map((r) => r.userId))];
      // Neither the requester nor anyone acting on the requester's behalf may decide.
      const people = [...new Set(reachable.filter((r) => r.userId !== requesterId && r.onBehalfOf !== requesterId).map((r) => r.userId))];
      return { step, eligible, people };
    }),
  );
  if (canFill(perStep.map(({ step, people }) => ({ required: step.required, people })))) return;
  const short = perStep.filter(({ step, people }) => people.length < step.required);
  const blocking: UnfillableStep[] = (short.length > 0 ? short : perStep).map(({ step, eligible }) => ({
    step: step.name,
    required: step.required,
    eligible,
  }));
  const names = await trx
    .selectFrom('users')
    .select(['id', 'display_name'])
    .where('id', 'in', [...new Set([requesterId, ...blocking.flatMap((b) => b.eligible)])])
    .execute();
  const nameOf = (id: string) => names.find((n) => n.id === id)?.display_name ?? id;
  const described = blocking.map((b) => {
    const others = b.eligible.filter((id) => id !== requesterId);
    const who =
      b.eligible.length === 0
        ? 'nobody'
        : b.eligible.map((id) => (id === requesterId ? `${nameOf(id)} (the requester)` : nameOf(id))).join(', ');
    return `"${b.step}" needs ${b.required} signature(s) and can be filled by ${who}${others.length < b.required ? '' : ' (but people count once across the chain)'}`;
  });
  throw new AppError(
    'chain_unfillable',
    `nobody could complete this request's approval chain: ${described.join('; ')}. Nobody approves their own request: ask a governance lead to give the step's role to another person (or name another system owner), or let someone who does not sign file the request`,
    { requester: requesterId, steps: blocking.map((b) => ({ ...b, eligible: b.eligible.map((id) => ({ id, name: nameOf(id) })) })) },
  );
}
