// One page of approval requests (the server paginates): what, which system, status, when filed,
// and for emergency changes the retrospective deadline.
import { Badge, Group, Pagination, Table, Text } from '@mantine/core';
import type { Answer } from '../../api/types';
import { AnchorLink } from '../../components/AnchorLink';
import { Time } from '../../components/Time';
import { KIND_LABELS, overdue, STATUS_COLORS, STATUS_LABELS } from './model';

type Summary = Answer<'listRequests'>['items'][number];

export function StatusBadge({ status }: { status: string }) {
  return (
    <Badge variant="light" color={STATUS_COLORS[status] ?? 'gray'}>
      {STATUS_LABELS[status] ?? status}
    </Badge>
  );
}

export function DueBadge({ dueAt }: { dueAt: string | null }) {
  if (!dueAt) return <Text size="sm">—</Text>;
  return (
    <Group gap={6} wrap="nowrap">
      <Time value={dueAt} />
      {overdue(dueAt) && (
        <Badge variant="light" color="red">
          Overdue
        </Badge>
      )}
    </Group>
  );
}

export function RequestTable({
  page,
  pageSize,
  answer,
  emergency = false,
  onPage,
  label,
}: {
  page: number;
  pageSize: number;
  answer: Answer<'listRequests'>;
  emergency?: boolean;
  onPage: (page: number) => void;
  label: string;
}) {
  return (
    <>
      <Table.ScrollContainer minWidth={760}>
        <Table striped highlightOnHover aria-label={label}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Request</Table.Th>
              <Table.Th>Kind</Table.Th>
              <Table.Th>AI system</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>{emergency ? 'Made as emergency' : 'Filed'}</Table.Th>
              {emergency && <Table.Th>Retrospective approval due</Table.Th>}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {answer.items.map((r: Summary) => (
              <Table.Tr key={r.id}>
                <Table.Td>
                  <AnchorLink to="/approvals/$requestId" params={{ requestId: r.id }} size="sm">
                    {r.title}
                  </AnchorLink>
                </Table.Td>
                <Table.Td>{KIND_LABELS[r.kind] ?? r.kind}</Table.Td>
                <Table.Td>
                  {r.systemId ? (
                    <AnchorLink to="/systems/$systemId" params={{ systemId: r.systemId }} size="sm">
                      {r.systemId.slice(0, 8)}
                    </AnchorLink>
                  ) : (
                    '—'
                  )}
                </Table.Td>
                <Table.Td>
                  <StatusBadge status={r.status} />
                </Table.Td>
                <Table.Td>
                  <Time value={emergency ? r.emergencyAt : r.createdAt} />
                </Table.Td>
                {emergency && (
                  <Table.Td>
                    {r.status === 'pending' ? <DueBadge dueAt={r.retrospectiveDueAt} /> : <StatusBadge status={r.status} />}
                  </Table.Td>
                )}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Group justify="space-between" mt="sm">
        <Text size="sm">
          {answer.total.toLocaleString()} {answer.total === 1 ? 'request' : 'requests'}
        </Text>
        <Pagination
          total={Math.max(1, Math.ceil(answer.total / pageSize))}
          value={page}
          onChange={onPage}
          getControlProps={(control) => ({ 'aria-label': `${control} page` })}
        />
      </Group>
    </>
  );
}
