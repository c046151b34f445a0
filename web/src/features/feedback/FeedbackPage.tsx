// Feedback and support tickets: filters in the URL, paged on the server; a "Give feedback" form for
// everyone who may write, and "Convert to exception" for those who may (the server decides anyway).
import { Anchor, Badge, Button, Group, Pagination, Select, Stack, Table, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { holds, useSession } from '../../api/session';
import { PageHeader } from '../../components/PageHeader';
import { SystemPicker } from '../../components/SystemPicker';
import { Empty, ErrorState, Loading } from '../../components/states';
import { Time } from '../../components/Time';
import { CONVERTERS, FEEDBACK_CATEGORIES, FEEDBACK_READERS, type FeedbackSearch, feedbackRoute } from '../../routes/feedback.routes';
import { Refusal } from '../exceptions/StepDialog';
import { humanize, options } from '../systems/labels';
import { GiveFeedbackDialog } from './GiveFeedbackDialog';

const PAGE_SIZE = 50;
const CONVERTED = [
  { value: 'false', label: 'Not converted' },
  { value: 'true', label: 'Converted' },
];

export function FeedbackPage() {
  const session = useSession();
  const search = feedbackRoute.useSearch();
  const navigate = useNavigate({ from: '/feedback' });
  const queryClient = useQueryClient();
  const [giving, setGiving] = useState(false);
  const page = search.page ?? 1;
  const set = (change: Partial<FeedbackSearch>) =>
    navigate({ search: (prev: FeedbackSearch) => ({ ...prev, ...change, page: 'page' in change ? change.page : undefined }) });
  const mayRead = holds(session, FEEDBACK_READERS, search.system);
  const mayWrite = !(session.roles.length === 1 && session.roles[0] === 'auditor');
  const feedback = useQuery({
    queryKey: ['feedback', 'list', search],
    enabled: mayRead,
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/feedback', {
          params: {
            query: {
              limit: PAGE_SIZE,
              offset: (page - 1) * PAGE_SIZE,
              ...(search.system ? { systemId: search.system } : {}),
              ...(search.category ? { category: search.category } : {}),
              ...(search.converted === undefined ? {} : { converted: search.converted }),
            },
          },
        }),
      ),
    placeholderData: keepPreviousData,
  });
  const convert = useMutation({
    mutationFn: (id: string) => unwrap(api.POST('/api/v1/feedback/{id}/convert-to-exception', { params: { path: { id } }, body: {} })),
    onSuccess: async (done) => {
      await queryClient.invalidateQueries({ queryKey: ['feedback'] });
      await queryClient.invalidateQueries({ queryKey: ['exceptions'] });
      notifications.show({ color: 'green', message: `Exception opened from “${done.feedback.summary}”` });
    },
  });
  return (
    <>
      <PageHeader
        title="Feedback"
        description="Feedback and support tickets about AI systems, by category; convert one into an exception to follow it up."
        actions={mayWrite ? <Button onClick={() => setGiving(true)}>Give feedback</Button> : undefined}
      />
      {giving && <GiveFeedbackDialog systemId={search.system} onClose={() => setGiving(false)} />}
      <Stack gap="md">
        <Group align="flex-end">
          <SystemPicker
            label="AI system"
            placeholder="All systems"
            value={search.system ?? null}
            onChange={(system) => set({ system: system ?? undefined })}
            w={320}
          />
          <Select
            label="Category"
            placeholder="Any category"
            clearable
            value={search.category ?? null}
            onChange={(value) => set({ category: (value as FeedbackSearch['category']) ?? undefined })}
            data={options(FEEDBACK_CATEGORIES)}
            w={180}
          />
          <Select
            label="Converted"
            placeholder="Either"
            clearable
            value={search.converted === undefined ? null : String(search.converted)}
            onChange={(value) => set({ converted: value === null ? undefined : value === 'true' })}
            data={CONVERTED}
            w={180}
          />
        </Group>
        <Refusal error={convert.error} />
        {!mayRead ? (
          <Empty title="Feedback is read by those who handle it" />
        ) : feedback.isError ? (
          <ErrorState error={feedback.error} title="The feedback could not be loaded" />
        ) : feedback.isLoading || !feedback.data ? (
          <Loading label="Loading the feedback…" />
        ) : feedback.data.items.length === 0 ? (
          <Empty title="No feedback matches" />
        ) : (
          <>
            <Table withTableBorder aria-label="Feedback">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Received</Table.Th>
                  <Table.Th>Category</Table.Th>
                  <Table.Th>Summary</Table.Th>
                  <Table.Th>Decision</Table.Th>
                  <Table.Th>From</Table.Th>
                  <Table.Th>Exception</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {feedback.data.items.map((f) => (
                  <Table.Tr key={f.id}>
                    <Table.Td>
                      <Time value={f.createdAt} />
                    </Table.Td>
                    <Table.Td>
                      <Badge variant="light" c="var(--mantine-color-text)">
                        {humanize(f.category)}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" fw={500}>
                        {f.summary}
                      </Text>
                      <Text size="sm" c="dimmed" lineClamp={2}>
                        {f.details}
                      </Text>
                    </Table.Td>
                    <Table.Td ff="monospace">{f.decisionId ?? '—'}</Table.Td>
                    <Table.Td>{f.channel === 'ticket' ? `Ticket ${f.externalRef ?? ''}` : (f.submittedByName ?? '—')}</Table.Td>
                    <Table.Td>
                      {f.exceptionId ? (
                        <Anchor
                          renderRoot={(props) => (
                            <Link {...props} to="/exceptions/$exceptionId" params={{ exceptionId: f.exceptionId as string }} />
                          )}
                        >
                          Exception
                        </Anchor>
                      ) : holds(session, CONVERTERS, f.systemId) ? (
                        <Button
                          size="xs"
                          variant="light"
                          aria-label={`Convert to exception: ${f.summary}`}
                          loading={convert.isPending && convert.variables === f.id}
                          onClick={() => convert.mutate(f.id)}
                        >
                          Convert to exception
                        </Button>
                      ) : (
                        '—'
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
            {feedback.data.total > PAGE_SIZE && (
              <Pagination total={Math.ceil(feedback.data.total / PAGE_SIZE)} value={page} onChange={(p) => set({ page: p })} />
            )}
          </>
        )}
      </Stack>
    </>
  );
}
