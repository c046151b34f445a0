// A verification run of the whole ledger on the server: every leaf rehashed, every checkpoint's
// root and signature checked. The server streams how far it is (GET /ledger/verify/progress); the
// page shows the events rehashed out of the snapshot's, and the time taken so far.
import { Alert, Button, Card, Group, Progress, Text, Title } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api, unwrap } from '../../api/client';
import { ErrorState } from '../../components/states';
import { readVerifyLines, type VerifyProgress } from './verify-progress';

function useElapsed(running: boolean): number {
  const [startedAt, setStartedAt] = useState<number | null>(null);
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!running) return;
    const started = Date.now();
    setStartedAt(started);
    setNow(started);
    const timer = setInterval(() => setNow(Date.now()), 200);
    return () => clearInterval(timer);
  }, [running]);
  return startedAt === null ? 0 : now - startedAt;
}

export function VerifyRun() {
  const [progress, setProgress] = useState<VerifyProgress | null>(null);
  const run = useMutation({
    mutationFn: async () => {
      setProgress(null);
      const stream = await unwrap(api.GET('/api/v1/ledger/verify/progress', { parseAs: 'stream' }));
      if (!stream) throw new Error('The server sent no answer');
      return readVerifyLines(stream, setProgress);
    },
  });
  const elapsed = useElapsed(run.isPending);
  const percent = progress && progress.total > 0 ? Math.floor((progress.done / progress.total) * 100) : 0;
  return (
    <Card withBorder padding="lg">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h4">
          Verification
        </Title>
        <Button onClick={() => run.mutate()} loading={run.isPending}>
          Verify the ledger
        </Button>
      </Group>
      {run.isPending && (
        <div role="status" aria-live="polite">
          <Progress value={percent} animated striped aria-label="Verification progress" />
          <Text size="sm" mt={4} data-testid="verify-progress">
            {progress
              ? `Rehashed ${progress.done.toLocaleString()} of ${progress.total.toLocaleString()} events (${percent} %)`
              : 'Reading the ledger'}
            , checking every checkpoint… {(elapsed / 1000).toFixed(1)} s
          </Text>
        </div>
      )}
      {run.isError && <ErrorState error={run.error} title="The verification could not run" />}
      {run.data &&
        (run.data.ok ? (
          <Alert color="green" title="The ledger verifies" role="status">
            {run.data.events.toLocaleString()} events rehashed, {run.data.checkpointsChecked.toLocaleString()} checkpoints checked; root{' '}
            <code>{run.data.rootHash}</code>.
          </Alert>
        ) : (
          <Alert color="red" title="The ledger does not verify" role="alert">
            {run.data.problem?.message} {run.data.problem?.seq != null && `(event ${run.data.problem.seq})`} — {run.data.problem?.kind}
          </Alert>
        ))}
    </Card>
  );
}
