// A pack's period as the person picks it (local calendar days, both optional) and as the API takes
// it (instants; `to` exclusive): the whole of the last day is in.

/** `from` at the start of its local day, `to` at the start of the local day after it. */
export function periodOf(fromDay: string, toDay: string): { from?: string; to?: string } {
  const day = (text: string, plusDays = 0) => {
    const [y, m, d] = text.split('-').map(Number);
    return new Date(y, m - 1, d + plusDays).toISOString();
  };
  return { ...(fromDay ? { from: day(fromDay) } : {}), ...(toDay ? { to: day(toDay, 1) } : {}) };
}
