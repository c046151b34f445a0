// What a published system may do right now, in words the public reads.
import { Badge } from '@mantine/core';

const LABELS: Record<string, { label: string; color: string }> = {
  active: { label: 'In use', color: 'green' },
  paused: { label: 'Paused by its overseers', color: 'red' },
  restricted: { label: 'In use under restrictions', color: 'yellow' },
};

export function RuntimeStateBadge({ state }: { state: string }) {
  const shown = LABELS[state] ?? { label: state, color: 'gray' };
  return (
    <Badge color={shown.color} variant="light">
      {shown.label}
    </Badge>
  );
}
