// My reviews: the reviews I prepare or sign (or everyone's), soonest due first, with the overdue
// badge; filters in the URL, paged on the server; my calendar feed's address.
import { Anchor, Badge, Button, Checkbox, Group, Pagination, Select, Stack, Table } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { api, unwrap } from '../../api/client';
import { PageHeader } from '../../components/PageHeader';
import { Empty, ErrorState, Loading } from '../../components/states';
import { Time } from '../../components/Time';
import { REVIEW_STATUSES, type ReviewsSearch, reviewsRoute } from '../../routes/reviews.routes';
import { CalendarDialog } from './CalendarDialog';

const PAGE_SIZE = 50;
export const REVIEW_STATUS_LABEL = { prepared: 'Awaiting findings', findings: 'Awaiting signatures', signed: 'Signed' } as const;

export function ReviewsPage() {
  const search = reviewsRoute.useSearch();
  const navigate = useNavigate({ from: '/reviews' });
  const page = search.page ?? 1;
  const [calendar, calendarDialog] = useDisclosure(false);
  const set = (change: Partial<ReviewsSearch>) =>
    navigate({ search: (prev: ReviewsSearch) => ({ ...prev, ...change, page: 'page' in change ? change.page : undefined }) });
  const reviews = useQuery({
    queryKey: ['reviews', 'list', search],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/reviews', {
          params: {
            query: {
              limit: PAGE_SIZE,
              offset: (page - 1) * PAGE_SIZE,
              ...(search.all ? {} : { mine: true }),
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
      <PageHeader
        title="Reviews"
        description="Scheduled fairness, performance and risk reviews, each signed off by two people."
        actions={
          <Button variant="default" onClick={calendarDialog.open}>
            My calendar
          </Button>
        }
      />
      <CalendarDialog opened={calendar} onClose={calendarDialog.close} />
      <Stack gap="md">
        <Group align="flex-end">
          <Checkbox
            label="Everyone's reviews"
            checked={search.all ?? false}
            onChange={(e) => set({ all: e.currentTarget.checked || undefined })}
            mb={8}
          />
          <Select
            label="Status"
            placeholder="Any status"
            clearable
            value={search.status ?? null}
            onChange={(value) => set({ status: (value as ReviewsSearch['status']) ?? undefined })}
            data={REVIEW_STATUSES.map((s) => ({ value: s, label: REVIEW_STATUS_LABEL[s] }))}
            w={220}
          />
          <Checkbox
            label="Overdue only"
            checked={search.overdue ?? false}
            onChange={(e) => set({ overdue: e.currentTarget.checked || undefined })}
            mb={8}
          />
        </Group>
        {reviews.isError ? (
          <ErrorState error={reviews.error} title="The reviews could not be loaded" />
        ) : reviews.isLoading || !reviews.data ? (
          <Loading label="Loading the reviews…" />
        ) : reviews.data.items.length === 0 ? (
          <Empty title="No review matches" />
        ) : (
          <>
            <Table withTableBorder aria-label="Reviews">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Review</Table.Th>
                  <Table.Th>Period</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Preparer</Table.Th>
                  <Table.Th>Due</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {reviews.data.items.map((r) => (
                  <Table.Tr key={r.id}>
                    <Table.Td>
                      <Anchor renderRoot={(props) => <Link {...props} to="/reviews/$reviewId" params={{ reviewId: r.id }} />}>
                        {`${r.kind} review`}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>
                      {r.periodFrom.slice(0, 10)} to {r.periodTo.slice(0, 10)}
                    </Table.Td>
                    <Table.Td>
                      <Badge variant="light" c="var(--mantine-color-text)">
                        {REVIEW_STATUS_LABEL[r.status]}
                      </Badge>
                    </Table.Td>
                    <Table.Td>{r.preparerName ?? r.preparerId}</Table.Td>
                    <Table.Td>
                      <Time value={r.dueAt} />
                      {r.overdue && (
                        <Badge ml="xs" color="red" variant="light">
                          overdue
                        </Badge>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
            {reviews.data.total > PAGE_SIZE && (
              <Pagination total={Math.ceil(reviews.data.total / PAGE_SIZE)} value={page} onChange={(p) => set({ page: p })} />
            )}
          </>
        )}
      </Stack>
    </>
  );
}
