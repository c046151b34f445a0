// How the inventory's vocabulary reads on screen.
export const humanize = (value: string) => value.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());

export const options = (values: readonly string[]) => values.map((value) => ({ value, label: humanize(value) }));

export const TIER_COLOR: Record<string, string> = {
  prohibited: 'red',
  high: 'orange',
  limited: 'yellow',
  minimal: 'green',
  unassessed: 'gray',
};

export const PHASES = [
  'design',
  'data_intake',
  'development',
  'validation',
  'deployment',
  'operation',
  'human_review',
  'retirement',
] as const;
