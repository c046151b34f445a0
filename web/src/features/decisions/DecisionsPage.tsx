// The human review queue: decisions sampled for review, filtered by system and status in the URL,
// paged on the server. A reviewer confirms or overrides each with a reason; an override opens an
// exception, linked from the row.
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Code,
  Group,
  Modal,
  Pagination,
  SegmentedControl,
  Stack,
  Table,
  Text,
  Textarea,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { ApiError, api, unwrap } from '../../api/client';
import { holds, useSession } from '../../api/session';
import type { Answer } from '../../api/types';
import { PageHeader } from '../../components/PageHeader';
import { SystemPicker } from '../../components/SystemPicker';
import { Empty, ErrorState, Loading } from '../../components/states';
import { Time } from '../../components/Time';
import { type DecisionsSearch, decisionsRoute, REVIEW_STATUSES } from '../../routes/decisions.routes';
import { rationaleError } from '../systems/rationale';

type Decision = Answer<'listReviewQueue'>['items'][number];
const PAGE_SIZE = 50;

export function DecisionsPage() {
  const search = decisionsRoute.useSearch();
  const navigate = useNavigate({ from: '/decisions' });
  const session = useSession();
  const status = search.status ?? 'pending';
  const page = search.page ?? 1;
  const set = (change: Partial<DecisionsSearch>) =>
    navigate({ search: (prev: DecisionsSearch) => ({ ...prev, ...change, page: 'page' in change ? change.page : undefined }) });
  const queue = useQuery({
    queryKey: ['decisions', 'queue', search.system, status, page],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/decisions/review-queue', {
          params: {
            query: { status, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE, ...(search.system ? { systemId: search.system } : {}) },
          },
        }),
      ),
    placeholderData: keepPreviousData,
  });
  const [reviewing, setReviewing] = useState<{ decision: Decision; outcome: 'confirm' | 'override' } | null>(null);

  return (
    <>
      <PageHeader title="Decisions" description="The human review queue: confirm or override sampled decisions." />
      <Stack gap="md">
        <Group align="flex-end">
          <SystemPicker
            label="AI system"
            placeholder="All systems"
            value={search.system ?? null}
            onChange={(system) => set({ system: system ?? undefined })}
            w={320}
          />
          <SegmentedControl
            aria-label="Review status"
            value={status}
            onChange={(value) => set({ status: value === 'pending' ? undefined : (value as DecisionsSearch['status']) })}
            data={REVIEW_STATUSES.map((s) => ({ value: s, label: s }))}
          />
        </Group>
        {queue.isError ? (
          <ErrorState error={queue.error} title="The review queue could not be loaded" />
        ) : queue.isLoading || !queue.data ? (
          <Loading label="Loading the review queue…" />
        ) : queue.data.items.length === 0 ? (
          <Empty title={status === 'pending' ? 'No decision waits for review' : `No ${status} decision`} />
        ) : (
          <>
            <Table withTableBorder aria-label="Review queue">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Decision</Table.Th>
                  <Table.Th>Decided</Table.Th>
                  <Table.Th>Output</Table.Th>
                  <Table.Th>Why queued</Table.Th>
                  <Table.Th>Review</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {queue.data.items.map((d) => (
                  <Table.Tr key={d.id}>
                    <Table.Td>
                      <Text size="sm" ff="monospace">
                        {d.decisionId}
                      </Text>
                      {d.confidence !== null && <Text size="xs">confidence {d.confidence}</Text>}
                    </Table.Td>
                    <Table.Td>
                      <Time value={d.decidedAt} />
                    </Table.Td>
                    <Table.Td>
                      <Code>{JSON.stringify(d.output)}</Code>
                    </Table.Td>
                    <Table.Td>{d.review?.queuedBecause ?? '—'}</Table.Td>
                    <Table.Td>
                      {d.review?.status === 'pending' ? (
                        holds(session, ['reviewer']) ? (
                          <Group gap="xs">
                            <Button
                              size="xs"
                              variant="default"
                              onClick={() => setReviewing({ decision: d, outcome: 'confirm' })}
                              aria-label={`Confirm ${d.decisionId}`}
                            >
                              Confirm
                            </Button>
                            <Button
                              size="xs"
                              variant="default"
                              onClick={() => setReviewing({ decision: d, outcome: 'override' })}
                              aria-label={`Override ${d.decisionId}`}
                            >
                              Override
                            </Button>
                          </Group>
                        ) : (
                          <Text size="sm">Waiting for a reviewer</Text>
                        )
                      ) : (
                        <Stack gap={2}>
                          <Badge variant="light" c="var(--mantine-color-text)">
                            {d.review?.status}
                          </Badge>
                          <Text size="xs">
                            by {d.review?.reviewerName ?? d.review?.reviewerId}{' '}
                            {d.review?.reviewedAt && <Time value={d.review.reviewedAt} />}
                          </Text>
                          {d.review?.exceptionId && (
                            <Anchor
                              size="sm"
                              renderRoot={(props) => (
                                <Link {...props} to="/exceptions/$exceptionId" params={{ exceptionId: d.review?.exceptionId ?? '' }} />
                              )}
                            >
                              Exception opened by the override
                            </Anchor>
                          )}
                        </Stack>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
            {queue.data.total > PAGE_SIZE && (
              <Pagination
                total={Math.ceil(queue.data.total / PAGE_SIZE)}
                value={page}
                onChange={(p) => set({ page: p })}
                getControlProps={(c) => ({ 'aria-label': `${c} page` })}
              />
            )}
          </>
        )}
      </Stack>
      {reviewing && <ReviewDialog {...reviewing} onClose={() => setReviewing(null)} />}
    </>
  );
}

function ReviewDialog({ decision, outcome, onClose }: { decision: Decision; outcome: 'confirm' | 'override'; onClose: () => void }) {
  const queryClient = useQueryClient();
  const form = useForm({ initialValues: { reason: '', corrected: '' }, validate: { reason: rationaleError } });
  const review = useMutation({
    mutationFn: (values: typeof form.values) =>
      unwrap(
        api.POST('/api/v1/decisions/{id}/review', {
          params: { path: { id: decision.id } },
          body: {
            outcome,
            reason: values.reason,
            ...(outcome === 'override' && values.corrected ? { correctedOutput: values.corrected } : {}),
          },
        }),
      ),
    onSuccess: async (after) => {
      await queryClient.invalidateQueries({ queryKey: ['decisions', 'queue'] });
      notifications.show({
        color: 'green',
        message: after.review?.exceptionId ? `Overridden: exception ${after.review.exceptionId} opened` : 'Decision confirmed',
      });
      onClose();
    },
  });
  const title = outcome === 'confirm' ? `Confirm decision ${decision.decisionId}` : `Override decision ${decision.decisionId}`;
  return (
    <Modal opened onClose={onClose} title={title}>
      <form onSubmit={form.onSubmit((values) => review.mutate(values))}>
        <Stack>
          <Text size="sm">
            Output: <Code>{JSON.stringify(decision.output)}</Code>
          </Text>
          {outcome === 'override' && (
            <>
              <Text size="sm">An override opens an exception that follows its own lifecycle.</Text>
              <Textarea label="What the output should have been" autosize {...form.getInputProps('corrected')} />
            </>
          )}
          <Textarea label="Reason" required autosize minRows={2} {...form.getInputProps('reason')} />
          {review.isError && (
            <Alert color="red" role="alert" title="Refused">
              {review.error.message}
              {review.error instanceof ApiError && ` (${review.error.code})`}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={review.isPending}>
              {outcome === 'confirm' ? 'Confirm' : 'Override'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
