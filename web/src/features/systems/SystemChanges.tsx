// A system's change records (what changed, who, why, under which approval) and any two of its
// recorded versions side by side, rebuilt from the ledger by the server.
import { Badge, Button, Group, NumberInput, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import type { Answer } from '../../api/types';
import { Empty, ErrorState, Loading } from '../../components/states';
import { Time } from '../../components/Time';
import type { SystemSearch } from '../../routes/systems.routes';
import { humanize } from './labels';

type ChangeRecord = Answer<'listChangeRecords'>['items'][number];

const show = (value: unknown) => (value === undefined ? '—' : typeof value === 'string' ? value : JSON.stringify(value, null, 1));

/** The rows of a side-by-side view: every field of either version, changed ones flagged. */
export function sideBySide(from: Record<string, unknown>, to: Record<string, unknown>) {
  const keys = [...new Set([...Object.keys(from), ...Object.keys(to)])].sort();
  return keys.map((key) => ({ key, before: from[key], after: to[key], changed: JSON.stringify(from[key]) !== JSON.stringify(to[key]) }));
}

function Diff({ diff }: { diff: ChangeRecord['diff'] }) {
  if (diff.length === 0) return <Text size="sm">No field changed.</Text>;
  return (
    <Table withTableBorder fz="xs" layout="fixed">
      <Table.Thead>
        <Table.Tr>
          <Table.Th w="20%">Field</Table.Th>
          <Table.Th>Before</Table.Th>
          <Table.Th>After</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {diff.map((d) => (
          <Table.Tr key={d.path}>
            <Table.Td ff="monospace">{d.path}</Table.Td>
            <Table.Td style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>{show(d.before)}</Table.Td>
            <Table.Td style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>{show(d.after)}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function ChangeRecords({ systemId }: { systemId: string }) {
  const records = useInfiniteQuery({
    queryKey: ['systems', systemId, 'change-records'],
    queryFn: ({ pageParam }) =>
      unwrap(api.GET('/api/v1/change-records', { params: { query: { systemId, limit: 20, offset: pageParam } } })),
    initialPageParam: 0,
    getNextPageParam: (last) => (last.offset + last.items.length < last.total ? last.offset + last.items.length : undefined),
  });
  if (records.isError) return <ErrorState error={records.error} title="The change records could not be loaded" />;
  if (records.isLoading) return <Loading label="Loading the change records…" />;
  const items = records.data?.pages.flatMap((p) => p.items) ?? [];
  if (items.length === 0) return <Empty title="No change recorded yet" />;
  return (
    <Stack gap="sm">
      {items.map((record) => (
        <Paper key={record.id} withBorder p="sm">
          <Group gap="xs" mb={4}>
            <Time value={record.recordedAt} />
            <Badge variant="light" c="var(--mantine-color-text)">
              {humanize(record.changeKind)}
            </Badge>
            {record.subjectVersion !== null && <Text size="xs">version {record.subjectVersion}</Text>}
            <Text size="sm">by {record.recordedByName ?? record.recordedBy ?? 'Proofline'}</Text>
            {record.signedBy.length > 0 && <Text size="sm">· approved by {record.signedBy.map((s) => s.name).join(', ')}</Text>}
          </Group>
          <Text size="sm" mb={4}>
            Why: {record.rationale}
          </Text>
          <Diff diff={record.diff} />
        </Paper>
      ))}
      {records.hasNextPage && (
        <Button variant="default" onClick={() => void records.fetchNextPage()} loading={records.isFetchingNextPage}>
          Load older change records
        </Button>
      )}
    </Stack>
  );
}

function Compare({ systemId, latest, search }: { systemId: string; latest: number; search: SystemSearch }) {
  const navigate = useNavigate({ from: '/systems/$systemId' });
  const [from, setFrom] = useState<number>(search.from ?? Math.max(1, latest - 1));
  const [to, setTo] = useState<number>(search.to ?? latest);
  const chosen = search.from !== undefined && search.to !== undefined ? { from: search.from, to: search.to } : null;
  const compare = useQuery({
    queryKey: ['systems', systemId, 'compare', chosen],
    queryFn: () => unwrap(api.GET('/api/v1/systems/{id}/versions/compare', { params: { path: { id: systemId }, query: chosen! } })),
    enabled: chosen !== null,
  });
  const rows = compare.data ? sideBySide(compare.data.from.state, compare.data.to.state) : [];
  return (
    <Stack gap="sm">
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void navigate({ search: (prev: SystemSearch) => ({ ...prev, tab: 'changes', from, to }) });
        }}
      >
        <Group align="flex-end">
          <NumberInput label="From version" min={1} max={latest} value={from} onChange={(v) => setFrom(Number(v) || 1)} w={140} />
          <NumberInput label="To version" min={1} max={latest} value={to} onChange={(v) => setTo(Number(v) || 1)} w={140} />
          <Button type="submit">Compare</Button>
          <Text size="sm" c="dimmed">
            The system is at version {latest}.
          </Text>
        </Group>
      </form>
      {chosen === null ? (
        <Text size="sm" c="dimmed">
          Choose two versions to see them side by side.
        </Text>
      ) : compare.isError ? (
        <ErrorState error={compare.error} title="These versions could not be compared" />
      ) : !compare.data ? (
        <Loading label="Rebuilding both versions from the ledger…" />
      ) : (
        <Table withTableBorder fz="xs" layout="fixed" aria-label={`Version ${chosen.from} and version ${chosen.to} side by side`}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th w="18%">Field</Table.Th>
              <Table.Th>Version {compare.data.from.version}</Table.Th>
              <Table.Th>Version {compare.data.to.version}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((row) => (
              <Table.Tr
                key={row.key}
                data-changed={row.changed || undefined}
                bg={row.changed ? 'var(--mantine-color-yellow-light)' : undefined}
              >
                <Table.Td ff="monospace">
                  {row.key}
                  {row.changed && (
                    <Text span size="xs" fw={700}>
                      {' '}
                      (changed)
                    </Text>
                  )}
                </Table.Td>
                <Table.Td style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>{show(row.before)}</Table.Td>
                <Table.Td style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>{show(row.after)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}

export function SystemChanges({ systemId, latest, search }: { systemId: string; latest: number; search: SystemSearch }) {
  return (
    <Stack gap="lg">
      <Stack gap="xs">
        <Title order={2} size="h4">
          Compare two versions
        </Title>
        <Compare systemId={systemId} latest={latest} search={search} />
      </Stack>
      <Stack gap="xs">
        <Title order={2} size="h4">
          Change records
        </Title>
        <ChangeRecords systemId={systemId} />
      </Stack>
    </Stack>
  );
}
