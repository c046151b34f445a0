// One review: its people, the snapshot the signatories sign (the period's metrics as a table) and
// its SHA-256 digest, the findings and decision, the signatures. The preparer attaches findings
// (If-Match: the version read); each named signatory signs the digest shown, with a rationale; the
// second signature completes the review. The server refuses whatever this page does not offer.
import { Alert, Badge, Button, Code, Group, Modal, Paper, Select, Stack, Table, Text, Textarea, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError, api, unwrap } from '../../api/client';
import { useSession } from '../../api/session';
import type { Answer } from '../../api/types';
import { PageHeader } from '../../components/PageHeader';
import { ErrorState, Loading } from '../../components/states';
import { Time } from '../../components/Time';
import { reviewRoute } from '../../routes/reviews.routes';
import { rationaleError } from '../systems/rationale';
import { REVIEW_STATUS_LABEL } from './ReviewsPage';

type Review = Answer<'getReview'>;
const DECISIONS = [
  { value: 'satisfactory', label: 'Satisfactory' },
  { value: 'satisfactory_with_actions', label: 'Satisfactory with actions' },
  { value: 'unsatisfactory', label: 'Unsatisfactory' },
];

/** Every number, string or boolean in the snapshot's metrics, by its path. */
export function metricRows(value: unknown, path = ''): Array<[string, string]> {
  if (value === null || value === undefined) return path ? [[path, '—']] : [];
  if (typeof value !== 'object') return [[path, typeof value === 'number' ? String(Math.round(value * 10_000) / 10_000) : String(value)]];
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  return entries.flatMap(([k, v]) => metricRows(v, path ? `${path}.${k}` : k));
}

function Refusal({ error }: { error: Error | null }) {
  if (!error) return null;
  return (
    <Alert color="red" role="alert" title="Refused">
      {error.message}
      {error instanceof ApiError && ` (${error.code})`}
    </Alert>
  );
}

function FindingsForm({ review, onDone }: { review: Review; onDone: () => void }) {
  const form = useForm({
    initialValues: { findings: review.findings ?? '', decision: review.decision ?? 'satisfactory', actions: review.actions.join('\n') },
    validate: {
      findings: rationaleError,
      actions: (value, values) => (values.decision !== 'satisfactory' && value.trim() === '' ? 'Name the actions (one per line)' : null),
    },
  });
  const attach = useMutation({
    mutationFn: (values: typeof form.values) =>
      unwrap(
        api.POST('/api/v1/reviews/{id}/findings', {
          params: { path: { id: review.id }, header: { 'If-Match': `"${review.version}"` } },
          body: {
            findings: values.findings,
            decision: values.decision as Review['decision'] & string,
            actions: values.actions
              .split('\n')
              .map((a) => a.trim())
              .filter((a) => a !== ''),
          },
        }),
      ),
    onSuccess: onDone,
  });
  return (
    <Paper withBorder p="md">
      <form onSubmit={form.onSubmit((values) => attach.mutate(values))}>
        <Stack gap="sm">
          <Title order={2} size="h4">
            Findings
          </Title>
          <Textarea label="Findings" autosize minRows={3} {...form.getInputProps('findings')} />
          <Select label="Decision" data={DECISIONS} allowDeselect={false} {...form.getInputProps('decision')} />
          <Textarea label="Actions (one per line)" autosize minRows={2} {...form.getInputProps('actions')} />
          <Refusal error={attach.error} />
          <Group>
            <Button type="submit" loading={attach.isPending}>
              Attach findings
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}

function SignDialog({ review, opened, onClose, onDone }: { review: Review; opened: boolean; onClose: () => void; onDone: () => void }) {
  const form = useForm({ initialValues: { rationale: '' }, validate: { rationale: rationaleError } });
  const sign = useMutation({
    mutationFn: (rationale: string) =>
      unwrap(
        api.POST('/api/v1/reviews/{id}/signatures', {
          params: { path: { id: review.id } },
          body: { snapshotDigest: review.snapshotDigest ?? '', rationale },
        }),
      ),
    onSuccess: () => {
      form.reset();
      onDone();
    },
  });
  return (
    <Modal opened={opened} onClose={onClose} title="Sign the review">
      <form onSubmit={form.onSubmit((values) => sign.mutate(values.rationale))}>
        <Stack gap="sm">
          <Text size="sm">You sign the snapshot with this SHA-256 digest:</Text>
          <Text ff="monospace" size="sm" style={{ wordBreak: 'break-all' }} data-testid="signing-digest">
            {review.snapshotDigest}
          </Text>
          <Textarea label="Rationale" autosize minRows={3} data-autofocus {...form.getInputProps('rationale')} />
          <Refusal error={sign.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={sign.isPending}>
              Sign
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

export function ReviewPage() {
  const { reviewId } = reviewRoute.useParams();
  const session = useSession();
  const queryClient = useQueryClient();
  const [signing, setSigning] = useState(false);
  const review = useQuery({
    queryKey: ['reviews', reviewId],
    queryFn: () => unwrap(api.GET('/api/v1/reviews/{id}', { params: { path: { id: reviewId } } })),
  });
  const refresh = async (message: string) => {
    await queryClient.invalidateQueries({ queryKey: ['reviews'] });
    notifications.show({ color: 'green', message });
  };
  const complete = useMutation({
    mutationFn: (id: string) => unwrap(api.POST('/api/v1/reviews/{id}/complete', { params: { path: { id } } })),
    onSuccess: () => refresh('Review completed'),
  });
  if (review.isError) return <ErrorState error={review.error} title="The review could not be loaded" />;
  if (review.isLoading || !review.data) return <Loading label="Loading the review…" />;
  const r = review.data;
  const me = session.user.id;
  const signatory = me === r.reviewerId || me === r.secondSignatoryId;
  const signed = r.signatures.some((s) => s.signerId === me);
  const canSign = r.status === 'findings' && signatory && !signed && me !== r.preparerId;
  const canComplete = r.status === 'findings' && r.signatures.length === 2;
  const snapshot = r.snapshot as { computed?: unknown; attached?: unknown } | null;
  const rows = snapshot ? [...metricRows(snapshot.computed, 'computed'), ...metricRows(snapshot.attached, 'attached')] : [];
  return (
    <>
      <PageHeader
        title={`${r.kind[0].toUpperCase()}${r.kind.slice(1)} review`}
        description={`Period ${r.periodFrom.slice(0, 10)} to ${r.periodTo.slice(0, 10)}`}
        actions={
          <Group>
            {canSign && <Button onClick={() => setSigning(true)}>Sign</Button>}
            {canComplete && (
              <Button onClick={() => complete.mutate(r.id)} loading={complete.isPending}>
                Complete
              </Button>
            )}
          </Group>
        }
      />
      <Stack gap="md">
        <Group gap="xs">
          <Badge variant="light" c="var(--mantine-color-text)" size="lg" data-testid="review-status">
            {REVIEW_STATUS_LABEL[r.status]}
          </Badge>
          {r.overdue && (
            <Badge color="red" variant="light" size="lg">
              overdue
            </Badge>
          )}
        </Group>
        <Refusal error={complete.error} />
        <Paper withBorder p="md">
          <Stack gap={4}>
            <Text size="sm">
              Due <Time value={r.dueAt} />
            </Text>
            <Text size="sm">Preparer: {r.preparerName ?? r.preparerId}</Text>
            <Text size="sm">Reviewer: {r.reviewerName ?? r.reviewerId}</Text>
            <Text size="sm">Second signatory: {r.secondSignatoryName ?? r.secondSignatoryId}</Text>
          </Stack>
        </Paper>
        {r.snapshotDigest && (
          <Paper withBorder p="md">
            <Stack gap="sm">
              <Title order={2} size="h4">
                Snapshot
              </Title>
              <Text size="sm">
                SHA-256{' '}
                <Code data-testid="snapshot-digest" style={{ wordBreak: 'break-all' }}>
                  {r.snapshotDigest}
                </Code>
              </Text>
              <Text size="sm">
                Decision: {DECISIONS.find((d) => d.value === r.decision)?.label ?? '—'}
                {r.actions.length > 0 && `; actions: ${r.actions.join('; ')}`}
              </Text>
              <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
                {r.findings}
              </Text>
              <Table withTableBorder aria-label="Metrics of the period">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Metric</Table.Th>
                    <Table.Th>Value</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {rows.length === 0 && (
                    <Table.Tr>
                      <Table.Td colSpan={2}>
                        <Text size="sm" c="dimmed">
                          No metrics were recorded for the period
                        </Text>
                      </Table.Td>
                    </Table.Tr>
                  )}
                  {rows.map(([name, value]) => (
                    <Table.Tr key={name}>
                      <Table.Td ff="monospace">{name}</Table.Td>
                      <Table.Td>{value}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Stack>
          </Paper>
        )}
        {me === r.preparerId && r.status !== 'signed' && <FindingsForm review={r} onDone={() => refresh('Findings attached')} />}
        <Paper withBorder p="md">
          <Title order={2} size="h4">
            Signatures
          </Title>
          {r.signatures.length === 0 ? (
            <Text size="sm" c="dimmed">
              None yet
            </Text>
          ) : (
            <Stack gap={4} mt="xs">
              {r.signatures.map((s) => (
                <Text size="sm" key={s.role}>
                  {s.signerName ?? s.signerId} ({s.role === 'reviewer' ? 'reviewer' : 'second signatory'}), <Time value={s.signedAt} />:{' '}
                  {s.rationale}
                </Text>
              ))}
            </Stack>
          )}
        </Paper>
      </Stack>
      <SignDialog
        review={r}
        opened={signing}
        onClose={() => setSigning(false)}
        onDone={() => {
          setSigning(false);
          void refresh('Signed');
        }}
      />
    </>
  );
}
