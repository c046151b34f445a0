// My queue: every open step I may fill now, in my own right or for someone who delegated to me,
// oldest first (the server computes it with the same rules it decides by).
import { Badge, Group, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { Empty, ErrorState, Loading } from '../../components/states';
import { Time } from '../../components/Time';
import { AnchorLink } from './AnchorLink';
import { KIND_LABELS } from './model';
import { DueBadge } from './RequestTable';

export const queueQuery = { queryKey: ['approvals', 'queue'], queryFn: () => unwrap(api.GET('/api/v1/approvals/queue')) };

export function QueueTab() {
  const queue = useQuery(queueQuery);
  if (queue.isPending) return <Loading />;
  if (queue.isError) return <ErrorState error={queue.error} />;
  const { items, counts } = queue.data;
  if (items.length === 0) return <Empty title="Nothing waits for you">Requests you may decide on appear here.</Empty>;
  return (
    <>
      <Group gap="xs" mb="sm">
        <Text size="sm">{counts.total.toLocaleString()} waiting for you</Text>
        {counts.renewalsDue > 0 && (
          <Badge variant="light" color="orange">
            {counts.renewalsDue} renewals due
          </Badge>
        )}
      </Group>
      <Table.ScrollContainer minWidth={760}>
        <Table striped highlightOnHover aria-label="My queue">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Request</Table.Th>
              <Table.Th>Kind</Table.Th>
              <Table.Th>Your step</Table.Th>
              <Table.Th>For</Table.Th>
              <Table.Th>Waiting since</Table.Th>
              <Table.Th>Retrospective approval due</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((item) => (
              <Table.Tr key={`${item.requestId}:${item.stepIndex}`}>
                <Table.Td>
                  <AnchorLink to="/approvals/$requestId" params={{ requestId: item.requestId }}>
                    {item.title}
                  </AnchorLink>
                  {item.renewalDue && (
                    <Badge ml="xs" variant="light" color="orange">
                      Renewal due
                    </Badge>
                  )}
                </Table.Td>
                <Table.Td>{KIND_LABELS[item.kind] ?? item.kind}</Table.Td>
                <Table.Td>{item.stepName}</Table.Td>
                <Table.Td>{item.onBehalfOf ? `On behalf of ${item.onBehalfOfName ?? item.onBehalfOf}` : 'Yourself'}</Table.Td>
                <Table.Td>
                  <Time value={item.waitingSince} />
                </Table.Td>
                <Table.Td>
                  <DueBadge dueAt={item.retrospectiveDueAt} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </>
  );
}
