// One appeal: the appellant's statement, its deadline, owner and outcome; its owner (or a lead)
// assigns it, starts the review and resolves it with an outcome and the reasons told to the
// appellant, linking the exceptions or lessons it led to. Every write sends the version read (If-Match).
import { Alert, Anchor, Badge, Button, Group, Modal, Paper, Select, Stack, Text, Textarea, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import { ApiError, api, unwrap } from '../../api/client';
import { holds, useSession } from '../../api/session';
import type { Answer } from '../../api/types';
import { PageHeader } from '../../components/PageHeader';
import { ErrorState, Loading } from '../../components/states';
import { Time } from '../../components/Time';
import { appealRoute } from '../../routes/decisions.routes';
import { PersonPicker } from '../systems/PersonPicker';
import { rationaleError } from '../systems/rationale';
import { STATUS_LABEL } from './AppealsPage';

type Appeal = Answer<'findAppeal'>;
const OUTCOMES = [
  { value: 'upheld', label: 'Upheld' },
  { value: 'partially_upheld', label: 'Partially upheld' },
  { value: 'rejected', label: 'Rejected' },
];

function Refusal({ error }: { error: Error | null }) {
  if (!error) return null;
  return (
    <Alert color="red" role="alert" title="Refused">
      {error.message}
      {error instanceof ApiError && ` (${error.code})`}
    </Alert>
  );
}

export function AppealPage() {
  const { appealId } = appealRoute.useParams();
  const session = useSession();
  const queryClient = useQueryClient();
  const appeal = useQuery({
    queryKey: ['appeals', appealId],
    queryFn: () => unwrap(api.GET('/api/v1/appeals/{id}', { params: { path: { id: appealId } } })),
  });
  const [dialog, setDialog] = useState<'assign' | 'resolve' | null>(null);
  const start = useMutation({
    mutationFn: (a: Appeal) =>
      unwrap(
        api.POST('/api/v1/appeals/{id}/start-review', {
          params: { path: { id: a.id }, header: { 'If-Match': `"${a.version}"` } },
          body: {},
        }),
      ),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['appeals'] });
      notifications.show({ color: 'green', message: 'Review started' });
    },
  });
  if (appeal.isError) return <ErrorState error={appeal.error} title="The appeal could not be loaded" />;
  if (appeal.isLoading || !appeal.data) return <Loading label="Loading the appeal…" />;
  const a = appeal.data;
  const handles = holds(session, ['governance_lead']) || a.ownerId === session.user.id;
  return (
    <>
      <PageHeader title={`Appeal ${a.caseNumber}`} description={`A challenge of decision ${a.decisionRef}`} />
      <Stack gap="md">
        <Group gap="xs">
          <Badge variant="light" c="var(--mantine-color-text)" size="lg">
            {STATUS_LABEL[a.status]}
          </Badge>
          {a.overdue && (
            <Badge color="red" variant="light" size="lg">
              overdue
            </Badge>
          )}
        </Group>
        <Paper withBorder p="md">
          <Stack gap={4}>
            <Text size="sm">
              Filed by {a.appellantName || 'an anonymous appellant'} ({a.channel}) <Time value={a.createdAt} />
            </Text>
            <Text size="sm">
              Due <Time value={a.dueAt} />
            </Text>
            <Text size="sm">Owner: {a.ownerName ?? a.ownerId ?? 'nobody yet'}</Text>
            <Text size="sm">
              Decision {a.decisionRef} {a.decisionFound ? '(found in the recorded decisions)' : '(not found in the recorded decisions)'}
            </Text>
            <Title order={2} size="h4" mt="sm">
              Statement
            </Title>
            <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
              {a.statement}
            </Text>
          </Stack>
        </Paper>
        {a.status === 'resolved' && (
          <Paper withBorder p="md" data-testid="appeal-outcome">
            <Title order={2} size="h4">
              Outcome: {OUTCOMES.find((o) => o.value === a.outcome)?.label ?? a.outcome}
            </Title>
            <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
              {a.outcomeExplanation}
            </Text>
            <Text size="sm">
              Resolved by {a.resolvedByName ?? a.resolvedBy} {a.resolvedAt && <Time value={a.resolvedAt} />}
            </Text>
          </Paper>
        )}
        {a.links.length > 0 && (
          <Stack gap={2}>
            <Title order={2} size="h4">
              Links
            </Title>
            {a.links.map((l) =>
              l.type === 'exception' ? (
                <Anchor
                  key={`${l.type}-${l.id}`}
                  size="sm"
                  renderRoot={(props) => <Link {...props} to="/exceptions/$exceptionId" params={{ exceptionId: l.id }} />}
                >
                  Exception {l.id}
                </Anchor>
              ) : (
                <Text key={`${l.type}-${l.id}`} size="sm">
                  Lesson {l.id}
                </Text>
              ),
            )}
          </Stack>
        )}
        {a.status !== 'resolved' && (
          <Group>
            {holds(session, ['governance_lead']) && (
              <Button variant="default" onClick={() => setDialog('assign')}>
                Assign an owner
              </Button>
            )}
            {handles && a.status === 'received' && (
              <Button variant="default" onClick={() => start.mutate(a)} loading={start.isPending}>
                Start the review
              </Button>
            )}
            {handles && <Button onClick={() => setDialog('resolve')}>Resolve</Button>}
          </Group>
        )}
        <Refusal error={start.error} />
      </Stack>
      {dialog === 'assign' && <AssignDialog appeal={a} onClose={() => setDialog(null)} />}
      {dialog === 'resolve' && <ResolveDialog appeal={a} onClose={() => setDialog(null)} />}
    </>
  );
}

function AssignDialog({ appeal, onClose }: { appeal: Appeal; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [ownerId, setOwnerId] = useState<string | null>(appeal.ownerId);
  const assign = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/v1/appeals/{id}/assign', {
          params: { path: { id: appeal.id }, header: { 'If-Match': `"${appeal.version}"` } },
          body: { ownerId: ownerId ?? '' },
        }),
      ),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['appeals'] });
      notifications.show({ color: 'green', message: 'Owner assigned' });
      onClose();
    },
  });
  return (
    <Modal opened onClose={onClose} title="Assign an owner">
      <Stack>
        <PersonPicker label="Owner" value={ownerId} onChange={setOwnerId} />
        <Refusal error={assign.error} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button onClick={() => assign.mutate()} loading={assign.isPending} disabled={!ownerId}>
            Assign
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function ResolveDialog({ appeal, onClose }: { appeal: Appeal; onClose: () => void }) {
  const queryClient = useQueryClient();
  // Chosen by title, not pasted as an id: the system's exceptions, newest first (the server's order).
  const exceptions = useQuery({
    queryKey: ['exceptions', 'of-system', appeal.systemRef],
    queryFn: () => unwrap(api.GET('/api/v1/exceptions', { params: { query: { systemId: appeal.systemRef, limit: 100 } } })),
  });
  const form = useForm({
    initialValues: { outcome: '', explanation: '', exceptionId: '' },
    validate: { outcome: (v) => (v ? null : 'Choose an outcome'), explanation: rationaleError },
  });
  const resolve = useMutation({
    mutationFn: (values: typeof form.values) =>
      unwrap(
        api.POST('/api/v1/appeals/{id}/resolve', {
          params: { path: { id: appeal.id }, header: { 'If-Match': `"${appeal.version}"` } },
          body: {
            outcome: values.outcome as 'upheld' | 'rejected' | 'partially_upheld',
            explanation: values.explanation,
            links: values.exceptionId.trim() ? [{ type: 'exception' as const, id: values.exceptionId.trim() }] : [],
          },
        }),
      ),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['appeals'] });
      notifications.show({ color: 'green', message: 'Appeal resolved' });
      onClose();
    },
  });
  return (
    <Modal opened onClose={onClose} title="Resolve the appeal">
      <form onSubmit={form.onSubmit((values) => resolve.mutate(values))}>
        <Stack>
          <Select label="Outcome" required data={OUTCOMES} {...form.getInputProps('outcome')} />
          <Textarea label="Reasons told to the appellant" required autosize minRows={3} {...form.getInputProps('explanation')} />
          <Select
            label="Exception it led to (optional)"
            description="One of this system's exceptions, e.g. the one the decision's override opened"
            placeholder={exceptions.isPending ? 'Loading…' : exceptions.isError ? 'The exceptions could not be read' : 'None'}
            data={(exceptions.data?.items ?? []).map((e) => ({ value: e.id, label: `${e.title} (${e.status.replaceAll('_', ' ')})` }))}
            searchable
            clearable
            nothingFoundMessage="No exception of this system matches"
            {...form.getInputProps('exceptionId')}
            value={form.values.exceptionId || null}
            onChange={(v) => form.setFieldValue('exceptionId', v ?? '')}
          />
          <Refusal error={resolve.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={resolve.isPending}>
              Resolve
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
