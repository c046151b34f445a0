// A control's status as a badge: words and colour, the same on every page of the area.
import { Badge } from '@mantine/core';
import type { ControlStatus } from '../../routes/frameworks.routes';
import { STATUS_COLOR, STATUS_LABEL } from './model';

export function StatusBadge({ status, size = 'sm' }: { status: ControlStatus; size?: 'sm' | 'md' | 'lg' }) {
  return (
    <Badge variant="light" color={STATUS_COLOR[status]} size={size}>
      {STATUS_LABEL[status]}
    </Badge>
  );
}
