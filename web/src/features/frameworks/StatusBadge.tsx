// A control's status as a badge: words and colour, the same on every page of the area.
import { Badge } from '@mantine/core';
import type { ControlStatus } from '../../routes/frameworks.routes';
import { STATUS_COLOR, STATUS_LABEL } from './model';

export function StatusBadge({ status, size = 'sm' }: { status: ControlStatus; size?: 'sm' | 'md' | 'lg' }) {
  return (
    // Never cut to "NOT S…" in a narrow table column: the badge takes the width its words need.
    <Badge variant="light" color={STATUS_COLOR[status]} size={size} style={{ minWidth: 'max-content' }}>
      {STATUS_LABEL[status]}
    </Badge>
  );
}
