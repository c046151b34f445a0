// A system's reviews tab: its cadences, its reviews (soonest due first, paged on the server, the
// page in the URL), and "Schedule a review now" for those who may.
import { Anchor, Badge, Button, Group, Pagination, Paper, Stack, Table, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { api, unwrap } from '../../api/client';
import { holds, useSession } from '../../api/session';
import { Empty, ErrorState, Loading } from '../../components/states';
import { Time } from '../../components/Time';
import { CADENCE_SETTERS, CadencesPanel } from './CadencesPanel';
import { REVIEW_STATUS_LABEL } from './ReviewsPage';
import { ScheduleReviewDialog } from './ScheduleReviewDialog';

const PAGE_SIZE = 20;

export function SystemReviews({
  system,
  page,
  onPage,
}: {
  system: { id: string; euRiskTier: string; accountableOwnerId?: string | null };
  page: number;
  onPage: (page: number) => void;
}) {
  const session = useSession();
  // Scheduling by hand: the same roles as setting a cadence (POST /api/v1/reviews).
  const maySchedule = holds(session, CADENCE_SETTERS);
  const [scheduling, scheduleDialog] = useDisclosure(false);
  const reviews = useQuery({
    queryKey: ['reviews', 'list', { systemId: system.id, page }],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/reviews', {
          params: { query: { systemId: system.id, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE } },
        }),
      ),
    placeholderData: keepPreviousData,
  });
  return (
    <Stack gap="md">
      <CadencesPanel systemId={system.id} tier={system.euRiskTier} />
      <Paper withBorder p="sm" component="section" aria-labelledby="system-reviews-title">
        <Group justify="space-between" mb="xs">
          <Title order={2} size="h4" id="system-reviews-title">
            Reviews of this system
          </Title>
          {maySchedule && <Button onClick={scheduleDialog.open}>Schedule a review now</Button>}
        </Group>
        {reviews.isError ? (
          <ErrorState error={reviews.error} title="The reviews could not be loaded" />
        ) : !reviews.data ? (
          <Loading label="Loading the reviews…" />
        ) : reviews.data.items.length === 0 ? (
          <Empty title="No review yet">Reviews appear here as the cadence schedules them.</Empty>
        ) : (
          <>
            <Table aria-label="Reviews of this system">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Review</Table.Th>
                  <Table.Th>Period</Table.Th>
                  <Table.Th>Status</Table.Th>
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
                    <Table.Td>{REVIEW_STATUS_LABEL[r.status]}</Table.Td>
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
              <Group justify="center" mt="sm">
                <Pagination
                  total={Math.ceil(reviews.data.total / PAGE_SIZE)}
                  value={page}
                  onChange={onPage}
                  getItemProps={(p) => ({ 'aria-label': `Page ${p}` })}
                />
              </Group>
            )}
          </>
        )}
      </Paper>
      {maySchedule && (
        <ScheduleReviewDialog
          systemId={system.id}
          accountableOwnerId={system.accountableOwnerId ?? null}
          opened={scheduling}
          onClose={scheduleDialog.close}
        />
      )}
    </Stack>
  );
}
