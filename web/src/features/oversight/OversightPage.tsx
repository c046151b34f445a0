// Oversight console: choose a system (in the URL), then its roster with each officer's authorities,
// its live runtime state (refetched every few seconds) and the actions the signed-in officer holds:
// pause, restrict, resume, each with a reason. A high-risk resume waits for a second officer.
import { Alert, Badge, Button, Checkbox, Group, Modal, Paper, Stack, Table, Text, Textarea, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { ApiError, api, unwrap } from '../../api/client';
import { useSession } from '../../api/session';
import type { Answer } from '../../api/types';
import { PageHeader } from '../../components/PageHeader';
import { SystemPicker } from '../../components/SystemPicker';
import { Empty, ErrorState, Loading } from '../../components/states';
import { Time } from '../../components/Time';
import { oversightRoute } from '../../routes/oversight.routes';
import { rationaleError } from '../systems/rationale';

type Runtime = Answer<'showRuntime'>;
type Action = 'pause' | 'restrict' | 'resume';

const STATE_COLOR = { active: 'green', restricted: 'yellow', paused: 'red' } as const;
const REFRESH_MS = 3_000;

const runtimeKey = (systemId: string) => ['oversight', systemId, 'runtime'];
const rosterKey = (systemId: string) => ['oversight', systemId, 'roster'];

export function OversightPage() {
  const search = oversightRoute.useSearch();
  const navigate = useNavigate({ from: '/oversight' });
  return (
    <>
      <PageHeader title="Oversight" description="Pause, restrict or resume AI systems; rosters and runtime state." />
      <Stack gap="lg">
        <SystemPicker
          label="AI system"
          placeholder="Type part of a system's name"
          value={search.system ?? null}
          onChange={(system) => navigate({ search: system ? { system } : {} })}
          maw={480}
        />
        {search.system ? (
          <Console systemId={search.system} />
        ) : (
          <Empty title="Choose an AI system">Its roster, runtime state and the actions you may take appear here.</Empty>
        )}
      </Stack>
    </>
  );
}

function Console({ systemId }: { systemId: string }) {
  const session = useSession();
  const runtime = useQuery({
    queryKey: runtimeKey(systemId),
    queryFn: () => unwrap(api.GET('/api/v1/systems/{id}/runtime/detail', { params: { path: { id: systemId } } })),
    refetchInterval: REFRESH_MS,
  });
  const roster = useQuery({
    queryKey: rosterKey(systemId),
    queryFn: () => unwrap(api.GET('/api/v1/systems/{id}/oversight/roster', { params: { path: { id: systemId } } })),
  });
  const system = useQuery({
    queryKey: ['systems', 'one', systemId],
    queryFn: () => unwrap(api.GET('/api/v1/systems/{id}', { params: { path: { id: systemId } } })),
  });
  const [action, setAction] = useState<Action | null>(null);

  if (runtime.isError) return <ErrorState error={runtime.error} title="The runtime state could not be loaded" />;
  if (roster.isError) return <ErrorState error={roster.error} title="The roster could not be loaded" />;
  if (runtime.isLoading || roster.isLoading || !runtime.data || !roster.data) return <Loading label="Loading the oversight console…" />;

  const mine = roster.data.items.find((e) => e.userId === session.user.id)?.authorities ?? [];
  const state = runtime.data.state;
  const pending = runtime.data.pendingResume;
  const highRisk = system.data?.euRiskTier === 'high';
  const offered: Action[] = [];
  if (mine.includes('pause') && state !== 'paused') offered.push('pause');
  if (mine.includes('restrict') && state !== 'paused') offered.push('restrict');
  if (mine.includes('resume') && state !== 'active' && pending?.by !== session.user.id) offered.push('resume');

  return (
    <Stack gap="lg">
      <Paper withBorder p="md" aria-labelledby="runtime-title">
        <Group justify="space-between" align="flex-start">
          <Stack gap={4}>
            <Title order={2} size="h3" id="runtime-title">
              Runtime state
            </Title>
            <Group gap="xs" aria-live="polite" data-testid="runtime-state">
              <Badge size="lg" variant="light" color={STATE_COLOR[state]}>
                {state}
              </Badge>
              {highRisk && <Text size="sm">High-risk system: a resume needs a second officer</Text>}
            </Group>
            {runtime.data.reason && <Text size="sm">Reason: {runtime.data.reason}</Text>}
            {runtime.data.updatedAt && (
              <Text size="sm">
                Set by {runtime.data.updatedByName ?? runtime.data.updatedBy ?? 'Proofline'} <Time value={runtime.data.updatedAt} />
              </Text>
            )}
            {Object.keys(runtime.data.conditions).length > 0 && (
              <Text size="sm">Conditions: {JSON.stringify(runtime.data.conditions)}</Text>
            )}
          </Stack>
          <Group gap="xs">
            {offered.map((a) => (
              <Button
                key={a}
                variant={a === 'pause' ? 'filled' : 'default'}
                color={a === 'pause' ? 'red' : undefined}
                onClick={() => setAction(a)}
              >
                {a === 'resume' && pending ? 'Confirm the resume' : `${a[0]?.toUpperCase()}${a.slice(1)}`}
              </Button>
            ))}
          </Group>
        </Group>
        {pending && (
          <Alert mt="md" color="yellow" title="Resume awaiting a second officer" data-testid="pending-resume">
            <Text size="sm">
              {pending.byName ?? pending.by} asked to resume <Time value={pending.at} />: {pending.reason}
            </Text>
            {pending.by === session.user.id && <Text size="sm">You asked; another officer with resume authority must confirm.</Text>}
          </Alert>
        )}
        {mine.length === 0 && (
          <Text size="sm" mt="sm">
            You are not on this system's roster, so you cannot pause, restrict or resume it.
          </Text>
        )}
      </Paper>

      <Stack gap="xs">
        <Title order={2} size="h3">
          Roster
        </Title>
        {roster.data.items.length === 0 ? (
          <Empty title="Nobody is on this system's roster yet" />
        ) : (
          <Table withTableBorder aria-label="Oversight roster">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Officer</Table.Th>
                <Table.Th>Authorities</Table.Th>
                <Table.Th>Competence</Table.Th>
                <Table.Th>Added</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {roster.data.items.map((e) => (
                <Table.Tr key={e.userId}>
                  <Table.Td>{e.userName ?? e.userId}</Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      {e.authorities.map((a) => (
                        <Badge key={a} variant="light" c="var(--mantine-color-text)">
                          {a}
                        </Badge>
                      ))}
                    </Group>
                  </Table.Td>
                  <Table.Td>{e.competence}</Table.Td>
                  <Table.Td>
                    <Time value={e.addedAt} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
      {action && <ActionDialog systemId={systemId} runtime={runtime.data} action={action} onClose={() => setAction(null)} />}
    </Stack>
  );
}

const TITLES: Record<Action, string> = { pause: 'Pause the system', restrict: 'Restrict the system', resume: 'Resume the system' };

function ActionDialog({ systemId, runtime, action, onClose }: { systemId: string; runtime: Runtime; action: Action; onClose: () => void }) {
  const queryClient = useQueryClient();
  const form = useForm({
    initialValues: { reason: '', humanReviewAll: true, text: '' },
    validate: { reason: rationaleError },
  });
  const act = useMutation({
    mutationFn: async (values: typeof form.values): Promise<Runtime> => {
      const params = { path: { id: systemId }, header: { 'If-Match': `"${runtime.version}"` } };
      if (action === 'pause') return unwrap(api.POST('/api/v1/systems/{id}/runtime/pause', { params, body: { reason: values.reason } }));
      if (action === 'restrict')
        return unwrap(
          api.POST('/api/v1/systems/{id}/runtime/restrict', {
            params,
            body: {
              reason: values.reason,
              conditions: { humanReviewAll: values.humanReviewAll, ...(values.text ? { text: values.text } : {}) },
            },
          }),
        );
      return unwrap(api.POST('/api/v1/systems/{id}/runtime/resume', { params, body: { reason: values.reason } }));
    },
    onSuccess: async (view) => {
      await queryClient.invalidateQueries({ queryKey: runtimeKey(systemId) });
      notifications.show({
        color: view.pendingConfirmation ? 'yellow' : 'green',
        message: view.pendingConfirmation ? 'Resume requested: a second officer must confirm it' : `The system is now ${view.state}`,
      });
      onClose();
    },
  });
  const error = act.error instanceof ApiError ? act.error : null;
  return (
    <Modal opened onClose={onClose} title={TITLES[action]}>
      <form onSubmit={form.onSubmit((values) => act.mutate(values))}>
        <Stack>
          <Textarea label="Reason" required autosize minRows={2} {...form.getInputProps('reason')} />
          {action === 'restrict' && (
            <>
              <Checkbox
                label="A human reviews every output before it takes effect"
                {...form.getInputProps('humanReviewAll', { type: 'checkbox' })}
              />
              <Textarea label="Other conditions" autosize {...form.getInputProps('text')} />
            </>
          )}
          {act.isError && (
            <Alert color="red" role="alert" title="Refused">
              {act.error.message}
              {error && ` (${error.code})`}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={act.isPending} color={action === 'pause' ? 'red' : undefined}>
              {TITLES[action].replace(' the system', '')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
