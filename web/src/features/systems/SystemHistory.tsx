// A system's complete history from the ledger, one time-ordered list: every signature, exception,
// incident, oversight action, review and appeal, each with who, when and why, and a proof check.
// Pages are fetched by cursor as the list scrolls, and only the entries in view are drawn.
import { Badge, Box, Chip, Group, Paper, SegmentedControl, Stack, Text } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef } from 'react';
import { api, unwrap } from '../../api/client';
import type { Answer } from '../../api/types';
import { Empty, ErrorState, Loading } from '../../components/states';
import { Time } from '../../components/Time';
import { HISTORY_KINDS, type SystemSearch } from '../../routes/systems.routes';
import { ProofCheck } from '../ledger/ProofCheck';
import { humanize } from './labels';

type Entry = Answer<'systemHistory'>['items'][number];

const PAGE = 100;

const KIND_COLOR: Record<string, string> = {
  approval: 'indigo',
  exception: 'orange',
  incident: 'red',
  oversight: 'grape',
  decision: 'cyan',
  appeal: 'pink',
  change_record: 'teal',
  model_version: 'blue',
  data_source: 'lime',
  system: 'gray',
};

function Who({ entry }: { entry: Entry }) {
  const actor = entry.actor.name ?? entry.actor.email ?? (entry.actor.kind === 'system' ? 'Proofline' : entry.actor.kind);
  return (
    <Text size="sm">
      <Text span fw={600}>
        {actor}
      </Text>
      {entry.onBehalfOf && <> on behalf of {entry.onBehalfOf.name ?? entry.onBehalfOf.id}</>}
      {entry.signers && entry.signers.length > 0 && (
        <>
          {' '}
          · signed by{' '}
          {entry.signers.map((s, i) => (
            <span key={s.id}>
              {i > 0 && ', '}
              {s.name}
              {s.onBehalfOf && ` for ${s.onBehalfOf.name}`}
            </span>
          ))}
        </>
      )}
    </Text>
  );
}

function HistoryEntry({ entry }: { entry: Entry }) {
  return (
    <Stack gap={2} py="xs" px="sm" data-seq={entry.seq}>
      <Group gap="xs" wrap="wrap">
        <Time value={entry.recordedAt} />
        <Badge color={KIND_COLOR[entry.kind] ?? 'gray'} variant="light" c="var(--mantine-color-text)" size="sm">
          {humanize(entry.kind)}
        </Badge>
        <Text size="xs" c="dimmed" ff="monospace">
          {entry.type} · #{entry.seq}
        </Text>
      </Group>
      <Text size="sm">{entry.summary}</Text>
      <Who entry={entry} />
      {entry.rationale && (
        <Text size="sm" c="dimmed" style={{ whiteSpace: 'pre-wrap' }}>
          Why: {entry.rationale}
        </Text>
      )}
      <ProofCheck
        entry={{ seq: entry.seq, eventId: entry.eventId, type: entry.type, recordedAt: entry.recordedAt }}
        label={`entry ${entry.seq}`}
      />
    </Stack>
  );
}

export function SystemHistory({ systemId, search }: { systemId: string; search: SystemSearch }) {
  const navigate = useNavigate({ from: '/systems/$systemId' });
  const order = search.order ?? 'desc';
  const history = useInfiniteQuery({
    queryKey: ['systems', systemId, 'history', search.kinds ?? '', order],
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/api/v1/systems/{id}/history', {
          params: { path: { id: systemId }, query: { kind: search.kinds, order, cursor: pageParam, limit: PAGE } },
        }),
      ),
    initialPageParam: undefined as number | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const entries = history.data?.pages.flatMap((p) => p.items) ?? [];
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: entries.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => 130,
    overscan: 6,
    initialRect: { width: 800, height: 600 },
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.length > 0 ? items[items.length - 1].index : -1;
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = history;
  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage && lastIndex >= entries.length - 20) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage, lastIndex, entries.length]);
  const kinds = search.kinds ? search.kinds.split(',') : [];
  return (
    <Stack gap="sm">
      <Group justify="space-between" align="flex-end">
        <Chip.Group
          multiple
          value={kinds}
          onChange={(next) => navigate({ search: (prev: SystemSearch) => ({ ...prev, kinds: next.length ? next.join(',') : undefined }) })}
        >
          <Group gap={6} role="group" aria-label="Show only these kinds">
            {HISTORY_KINDS.map((kind) => (
              <Chip key={kind} value={kind} size="xs" variant="outline">
                {humanize(kind)}
              </Chip>
            ))}
          </Group>
        </Chip.Group>
        <SegmentedControl
          aria-label="Order"
          size="xs"
          value={order}
          onChange={(v) => navigate({ search: (prev: SystemSearch) => ({ ...prev, order: v === 'desc' ? undefined : (v as 'asc') }) })}
          data={[
            { value: 'desc', label: 'Newest first' },
            { value: 'asc', label: 'Oldest first' },
          ]}
        />
      </Group>
      {history.isError ? (
        <ErrorState error={history.error} title="The history could not be loaded" />
      ) : history.isLoading ? (
        <Loading label="Loading the history…" />
      ) : entries.length === 0 ? (
        <Empty title="Nothing recorded">{kinds.length ? 'No entry of these kinds.' : 'This system has no history yet.'}</Empty>
      ) : (
        <>
          <Text size="xs" c="dimmed" role="status" data-testid="history-status">
            {entries.length} entries loaded{hasNextPage ? ', more as you scroll' : ', the whole history'}
          </Text>
          <Paper
            withBorder
            ref={scroller}
            tabIndex={0}
            role="region"
            aria-label="History entries"
            data-testid="history-scroller"
            style={{ height: 'min(70vh, 720px)', overflow: 'auto' }}
          >
            <Box component="ol" m={0} p={0} style={{ listStyle: 'none', height: virtualizer.getTotalSize(), position: 'relative' }}>
              {items.map((item) => (
                <li
                  key={entries[item.index].seq}
                  data-index={item.index}
                  ref={virtualizer.measureElement}
                  style={{
                    position: 'absolute',
                    top: 0,
                    left: 0,
                    width: '100%',
                    transform: `translateY(${item.start}px)`,
                    borderBottom: '1px solid var(--mantine-color-default-border)',
                  }}
                >
                  <HistoryEntry entry={entries[item.index]} />
                </li>
              ))}
            </Box>
            {isFetchingNextPage && <Loading label="Loading older entries…" />}
          </Paper>
        </>
      )}
    </Stack>
  );
}
