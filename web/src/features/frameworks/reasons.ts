// Why a control has its status, in words: the server's reason for the organisation, else each
// distinct reason its AI systems give (the first few, with how many more).
import type { StatusItem } from './queries';

export function reasonsOf(item: Pick<StatusItem, 'reason' | 'systems'>, max = 3): { shown: string[]; more: number } {
  const all = [...new Set([...(item.reason ? [item.reason] : []), ...item.systems.flatMap((s) => s.reasons)])];
  return { shown: all.slice(0, max), more: Math.max(0, all.length - max) };
}
