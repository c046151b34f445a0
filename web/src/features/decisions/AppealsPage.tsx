// Appeals: every challenge of a decision with its deadline, owner and outcome; filters in the URL,
// paged on the server.
import { Anchor, Badge, Checkbox, Group, Pagination, Select, Stack, Table, Text } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { api, unwrap } from '../../api/client';
import { PageHeader } from '../../components/PageHeader';
import { SystemPicker } from '../../components/SystemPicker';
import { Empty, ErrorState, Loading } from '../../components/states';
import { Time } from '../../components/Time';
import { APPEAL_STATUSES, type AppealsSearch, appealsRoute } from '../../routes/decisions.routes';

const PAGE_SIZE = 50;
export const STATUS_LABEL = { received: 'Received', in_review: 'In review', resolved: 'Resolved' } as const;

export function AppealsPage() {
  const search = appealsRoute.useSearch();
  const navigate = useNavigate({ from: '/appeals' });
  const page = search.page ?? 1;
  const set = (change: Partial<AppealsSearch>) =>
    navigate({ search: (prev: AppealsSearch) => ({ ...prev, ...change, page: 'page' in change ? change.page : undefined }) });
  const appeals = useQuery({
    queryKey: ['appeals', 'list', search],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/appeals', {
          params: {
            query: {
              limit: PAGE_SIZE,
              offset: (page - 1) * PAGE_SIZE,
              ...(search.system ? { systemId: search.system } : {}),
              ...(search.status ? { status: search.status } : {}),
              ...(search.overdue ? { overdue: true } : {}),
            },
          },
        }),
      ),
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <PageHeader title="Appeals" description="Challenges of decisions, with their deadlines, owners and outcomes." />
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
            label="Status"
            placeholder="Any status"
            clearable
            value={search.status ?? null}
            onChange={(value) => set({ status: (value as AppealsSearch['status']) ?? undefined })}
            data={APPEAL_STATUSES.map((s) => ({ value: s, label: STATUS_LABEL[s] }))}
            w={180}
          />
          <Checkbox
            label="Overdue only"
            checked={search.overdue ?? false}
            onChange={(e) => set({ overdue: e.currentTarget.checked || undefined })}
            mb={8}
          />
        </Group>
        {appeals.isError ? (
          <ErrorState error={appeals.error} title="The appeals could not be loaded" />
        ) : appeals.isLoading || !appeals.data ? (
          <Loading label="Loading the appeals…" />
        ) : appeals.data.items.length === 0 ? (
          <Empty title="No appeal matches" />
        ) : (
          <>
            <Table withTableBorder aria-label="Appeals">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Case</Table.Th>
                  <Table.Th>Decision</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Owner</Table.Th>
                  <Table.Th>Due</Table.Th>
                  <Table.Th>Outcome</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {appeals.data.items.map((a) => (
                  <Table.Tr key={a.id}>
                    <Table.Td>
                      <Anchor renderRoot={(props) => <Link {...props} to="/appeals/$appealId" params={{ appealId: a.id }} />}>
                        {a.caseNumber}
                      </Anchor>
                    </Table.Td>
                    <Table.Td ff="monospace">{a.decisionRef}</Table.Td>
                    <Table.Td>
                      <Badge variant="light" c="var(--mantine-color-text)">
                        {STATUS_LABEL[a.status]}
                      </Badge>
                    </Table.Td>
                    <Table.Td>{a.ownerName ?? a.ownerId ?? '—'}</Table.Td>
                    <Table.Td>
                      <Time value={a.dueAt} />
                      {a.overdue && (
                        <Badge ml="xs" color="red" variant="light">
                          overdue
                        </Badge>
                      )}
                    </Table.Td>
                    <Table.Td>{a.outcome ? <Text size="sm">{a.outcome.replace('_', ' ')}</Text> : '—'}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
            {appeals.data.total > PAGE_SIZE && (
              <Pagination total={Math.ceil(appeals.data.total / PAGE_SIZE)} value={page} onChange={(p) => set({ page: p })} />
            )}
          </>
        )}
      </Stack>
    </>
  );
}
