// My queue: every open step I may fill now, in my own right or for someone who delegated to me,
// oldest first (the server computes it with the same rules it decides by). The API answers the
// whole queue at once, so a long one renders only the rows in view (@tanstack/react-virtual).
import { Badge, Group, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import type { Answer } from '../../api/types';
import { AnchorLink } from '../../components/AnchorLink';
import { Empty, ErrorState, Loading } from '../../components/states';
import { Time } from '../../components/Time';
import { KIND_LABELS } from './model';
import { DueBadge } from './RequestTable';

export const queueQuery = { queryKey: ['approvals', 'queue'], queryFn: () => unwrap(api.GET('/api/v1/approvals/queue')) };

type Item = Answer<'listQueue'>['items'][number];

/** Beyond this many rows the queue renders only those in view. */
export const VIRTUAL_FROM = 100;
const ROW_HEIGHT = 49;

function QueueRow({ item }: { item: Item }) {
  return (
    <Table.Tr key={`${item.requestId}:${item.stepIndex}`}>
      <Table.Td>
        <AnchorLink to="/approvals/$requestId" params={{ requestId: item.requestId }} size="sm">
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
  );
}

function QueueRows({ items, scroller }: { items: Item[]; scroller: HTMLDivElement | null }) {
  if (items.length < VIRTUAL_FROM) return items.map((item) => <QueueRow key={`${item.requestId}:${item.stepIndex}`} item={item} />);
  return <VirtualQueueRows items={items} scroller={scroller} />;
}

/** Only the rows in view, with spacer rows keeping the scroll height (the table stays a table). */
function VirtualQueueRows({ items, scroller }: { items: Item[]; scroller: HTMLDivElement | null }) {
  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scroller,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
  });
  const rows = virtualizer.getVirtualItems();
  const before = rows[0]?.start ?? 0;
  const after = virtualizer.getTotalSize() - (rows.at(-1)?.end ?? 0);
  return (
    <>
      {before > 0 && (
        <Table.Tr aria-hidden="true">
          <Table.Td colSpan={6} style={{ height: before, padding: 0 }} />
        </Table.Tr>
      )}
      {rows.map((row) => {
        const item = items[row.index];
        return <QueueRow key={`${item.requestId}:${item.stepIndex}`} item={item} />;
      })}
      {after > 0 && (
        <Table.Tr aria-hidden="true">
          <Table.Td colSpan={6} style={{ height: after, padding: 0 }} />
        </Table.Tr>
      )}
    </>
  );
}

export function QueueTab() {
  const queue = useQuery(queueQuery);
  // State, not a ref: the rows below render again once the region exists, so they measure it.
  const [scroller, setScroller] = useState<HTMLDivElement | null>(null);
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
      {/* A long queue scrolls in its own region (focusable, so the keyboard scrolls it too). */}
      <div
        ref={setScroller}
        style={items.length >= VIRTUAL_FROM ? { maxHeight: '70vh', overflowY: 'auto' } : undefined}
        {...(items.length >= VIRTUAL_FROM ? { tabIndex: 0, role: 'region', 'aria-label': 'My queue, scrollable' } : {})}
      >
        <Table.ScrollContainer minWidth={760}>
          <Table striped highlightOnHover stickyHeader aria-label="My queue">
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
              <QueueRows items={items} scroller={scroller} />
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </div>
    </>
  );
}
