// The checkpoints signed so far, newest first, a page at a time.
import { Card, Group, Pagination, Table, Text, Title } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { Empty, ErrorState, Loading } from '../../components/states';
import { Time } from '../../components/Time';

const PAGE = 10;

export function CheckpointsTable() {
  const [page, setPage] = useState(1);
  const checkpoints = useQuery({
    queryKey: ['ledger', 'checkpoints', page],
    queryFn: () => unwrap(api.GET('/api/v1/ledger/checkpoints', { params: { query: { limit: PAGE, offset: (page - 1) * PAGE } } })),
    placeholderData: keepPreviousData,
  });
  return (
    <Card withBorder padding="lg">
      <Title order={2} size="h4" mb="sm">
        Signed checkpoints
      </Title>
      {checkpoints.isPending && <Loading />}
      {checkpoints.isError && <ErrorState error={checkpoints.error} />}
      {checkpoints.data && checkpoints.data.total === 0 && <Empty title="No checkpoint signed yet" />}
      {checkpoints.data && checkpoints.data.total > 0 && (
        <>
          <Table.ScrollContainer minWidth={600}>
            <Table striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Tree size</Table.Th>
                  <Table.Th>Root hash</Table.Th>
                  <Table.Th>Signed</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {checkpoints.data.items.map((c) => (
                  <Table.Tr key={c.treeSize}>
                    <Table.Td>{c.treeSize.toLocaleString()}</Table.Td>
                    <Table.Td>
                      <code>{c.rootHash.slice(0, 16)}…</code>
                    </Table.Td>
                    <Table.Td>
                      <Time value={c.createdAt} />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Group justify="space-between" mt="sm">
            <Text size="sm">{checkpoints.data.total.toLocaleString()} checkpoints</Text>
            <Pagination
              total={Math.ceil(checkpoints.data.total / PAGE)}
              value={page}
              onChange={setPage}
              getControlProps={(control) => ({ 'aria-label': `${control} page` })}
            />
          </Group>
        </>
      )}
    </Card>
  );
}
