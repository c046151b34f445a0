// A moment shown in the viewer's own time zone, with the exact UTC time on hover.
import { Tooltip } from '@mantine/core';

const local = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function formatLocal(iso: string): string {
  return local.format(new Date(iso));
}

/** `plain`: the UTC time in the title only, without a tooltip: for long tables, where a tooltip per
 * row would cost more to draw than the rows themselves. */
export function Time({ value, plain = false }: { value: string | null | undefined; plain?: boolean }) {
  if (!value) return <span>—</span>;
  const utc = new Date(value)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC');
  if (plain) {
    return (
      <time dateTime={value} title={utc}>
        {formatLocal(value)}
      </time>
    );
  }
  return (
    <Tooltip label={utc} withArrow>
      <time dateTime={value} title={utc}>
        {formatLocal(value)}
      </time>
    </Tooltip>
  );
}
