// A deadline: when (in the viewer's zone, UTC on hover) and how long is left, overdue in red.
import { Group, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import { Time } from '../../components/Time';
import { timeLeft } from './lifecycle';

export function Countdown({ dueAt, done = false }: { dueAt: string; done?: boolean }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);
  const left = timeLeft(dueAt, now);
  return (
    <Group gap={6} wrap="nowrap">
      <Time value={dueAt} />
      {!done && (
        <Text span size="sm" c={left.overdue ? 'red.9' : 'dimmed'} fw={left.overdue ? 700 : undefined}>
          ({left.text})
        </Text>
      )}
    </Group>
  );
}
