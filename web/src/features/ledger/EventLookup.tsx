// Any event by its sequence number (a shareable URL: /ledger?seq=N): what was recorded, its leaf
// hash, and its inclusion proof against the latest signed checkpoint.
import { Alert, Button, Card, Group, NumberInput, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { ScrollableCode } from '../../components/ScrollableCode';
import { ErrorState, Loading } from '../../components/states';
import { Time } from '../../components/Time';
import { ledgerRoute } from '../../routes/ledger.routes';
import { ProofCheck } from './ProofCheck';

function EventAndProof({ seq }: { seq: number }) {
  const event = useQuery({
    queryKey: ['ledger', 'event', seq],
    queryFn: async () => {
      const page = await unwrap(
        api.GET('/api/v1/ledger/events', { params: { query: seq === 0 ? { limit: 1 } : { afterSeq: seq - 1, limit: 1 } } }),
      );
      return page.items[0]?.seq === seq ? page.items[0] : null;
    },
  });
  const proof = useQuery({
    queryKey: ['ledger', 'inclusion', seq],
    queryFn: () => unwrap(api.GET('/api/v1/ledger/proofs/inclusion', { params: { query: { seq } } })),
    enabled: Boolean(event.data),
    retry: false,
  });
  if (event.isPending) return <Loading />;
  if (event.isError) return <ErrorState error={event.error} />;
  if (!event.data) return <Alert color="yellow">There is no event with sequence number {seq} yet.</Alert>;
  const e = event.data;
  return (
    <Stack gap="sm">
      <Table variant="vertical" withTableBorder>
        <Table.Tbody>
          <Table.Tr>
            <Table.Th w={160}>Sequence number</Table.Th>
            <Table.Td>{e.seq}</Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th>Type</Table.Th>
            <Table.Td>
              <code>{e.type}</code>
            </Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th>Recorded</Table.Th>
            <Table.Td>
              <Time value={e.recordedAt} />
            </Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th>Leaf hash</Table.Th>
            <Table.Td>
              <code style={{ wordBreak: 'break-all' }}>{e.leafHash}</code>
            </Table.Td>
          </Table.Tr>
        </Table.Tbody>
      </Table>
      <Text fw={600} size="sm">
        The event as recorded
      </Text>
      <ScrollableCode label="The event as recorded">{JSON.stringify(e.event, null, 2)}</ScrollableCode>
      <ProofCheck entry={{ seq: e.seq, eventId: e.eventId, type: e.type, recordedAt: e.recordedAt }} label={`event ${e.seq}`} />
      <Text fw={600} size="sm">
        Inclusion proof
      </Text>
      {proof.isPending && <Loading label="Fetching the inclusion proof…" />}
      {proof.isError && <ErrorState error={proof.error} title="No inclusion proof yet" />}
      {proof.data && (
        <Stack gap={4}>
          <Text size="sm">
            Included in the tree of {proof.data.treeSize.toLocaleString()} events with root <code>{proof.data.rootHash}</code>, through{' '}
            {proof.data.proof.length} hashes:
          </Text>
          <ScrollableCode label="Inclusion proof">{proof.data.proof.join('\n') || '(none: the tree has one leaf)'}</ScrollableCode>
        </Stack>
      )}
    </Stack>
  );
}

export function EventLookup() {
  const { seq } = ledgerRoute.useSearch();
  const navigate = useNavigate({ from: ledgerRoute.fullPath });
  const [value, setValue] = useState<number | string>(seq ?? '');
  return (
    <Card withBorder padding="lg">
      <Title order={2} size="h4" mb="sm">
        Look up an event
      </Title>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (typeof value === 'number') void navigate({ search: { seq: value } });
        }}
      >
        <Group align="flex-end" mb="md">
          <NumberInput label="Sequence number" min={0} allowDecimal={false} value={value} onChange={setValue} w={200} />
          <Button type="submit" variant="default" disabled={typeof value !== 'number'}>
            Look up
          </Button>
        </Group>
      </form>
      {seq !== undefined && <EventAndProof seq={seq} />}
    </Card>
  );
}
