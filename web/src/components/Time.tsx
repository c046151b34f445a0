// A moment shown in the viewer's own time zone, with the exact UTC time on hover.
import { Tooltip } from '@mantine/core';

const local = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function formatLocal(iso: string): string {
  return local.format(new Date(iso));
}

export function Time({ value }: { value: string | null | undefined }) {
  if (!value) return <span>—</span>;
  const utc = new Date(value)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC');
  return (
    <Tooltip label={utc} withArrow>
      <time dateTime={value} title={utc}>
        {formatLocal(value)}
      </time>
    </Tooltip>
  );
}
