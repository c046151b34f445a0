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
      // Neither the requester nor anyone acting on the requester's behalf may decide.
      const mayDecide = reachable.filter((r) => r.userId !== requesterId && r.onBehalfOf !== requesterId);
      return {
        step,
        eligible: [...new Set(reachable.map((r) => r.userId))],
        forRequester: new Set(reachable.filter((r) => r.onBehalfOf === requesterId).map((r) => r.userId)),
        people: [...new Set(mayDecide.map((r) => r.userId))],
      };
    }),
  );
  if (canFill(perStep.map(({ step, people }) => ({ required: step.required, people })))) return;
  // A step short of people by itself is the reason; when none is, the people are too few for the
  // chain as a whole, because each person counts once.
  const short = perStep.filter(({ step, people }) => people.length < step.required);
  const countOnce = short.length === 0;
  const blocking = countOnce ? perStep : short;
  const ids = [...new Set([requesterId, ...blocking.flatMap((b) => b.eligible)])];
  const names = new Map(
    (await trx.selectFrom('users').select(['id', 'display_name']).where('id', 'in', ids).execute()).map((u) => [u.id, u.display_name]),
  );
  const nameOf = (id: string) => names.get(id) ?? id;
  const described = blocking.map(({ step, eligible, forRequester }) => {
    const who = eligible.map((id) =>
      id === requesterId ? `${nameOf(id)} (the requester)` : forRequester.has(id) ? `${nameOf(id)} (only for the requester)` : nameOf(id),
    );
    return `"${step.name}" needs ${step.required} signature(s) and can be filled by ${who.length === 0 ? 'nobody' : who.join(', ')}`;
  });
  const unfillable: UnfillableStep[] = blocking.map(({ step, eligible }) => ({ step: step.name, required: step.required, eligible }));
  throw new AppError(
    'chain_unfillable',
    `nobody could complete this request's approval chain: ${described.join('; ')}${countOnce ? ' (each person counts once across the chain)' : ''}. Nobody approves their own request: ask a governance lead to give the step's role to another person (or name another system owner), or let someone who does not sign file the request`,
    {
      requester: requesterId,
      countOnce,
      steps: unfillable.map((b) => ({ ...b, eligible: b.eligible.map((id) => ({ id, name: nameOf(id) })) })),
    },
  );
}
