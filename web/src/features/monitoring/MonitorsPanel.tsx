// A system's monitors (metric, rule, severity, owner) with setting, changing and disabling for those who may,
// and for each monitored metric a chart over the chosen window with the thresholds drawn, and the
// same numbers as a table for screen readers (or anyone who asks for it).
import { Badge, Button, Card, Group, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useState } from 'react';
import { api, unwrap } from '../../api/client';
import { holds, useSession } from '../../api/session';
import { Empty, ErrorState, Loading } from '../../components/states';
import { Time } from '../../components/Time';
import { ReasonDialog } from '../approvals/ReasonDialog';
import { SEVERITY_COLOR } from '../exceptions/lifecycle';
import { MonitorDialog } from './MonitorDialog';
import { formatNumber, type Monitor, metricsOf, ruleOf, type Series, valueKeyOf } from './model';

const MetricChart = lazy(() => import('./MetricChart'));

/** Who may set and disable a system's monitors (the server's MONITOR_EDITORS). */
export const MONITOR_EDITORS = ['governance_lead', 'system_owner'] as const;

export const monitorsQueryKey = (systemId: string) => ['monitors', systemId] as const;

export function MonitorsPanel({ systemId, window }: { systemId: string; window: { from: string; to: string; label: string } }) {
  const session = useSession();
  const queryClient = useQueryClient();
  const mayEdit = holds(session, MONITOR_EDITORS, systemId);
  const [creating, setCreating] = useState(false);
  const [disabling, setDisabling] = useState<Monitor | null>(null);
  const [editing, setEditing] = useState<Monitor | null>(null);
  const monitors = useQuery({
    queryKey: monitorsQueryKey(systemId),
    queryFn: () => unwrap(api.GET('/api/v1/systems/{id}/monitors', { params: { path: { id: systemId } } })),
  });
  const disable = useMutation({
    mutationFn: ({ monitor, rationale }: { monitor: Monitor; rationale: string }) =>
      unwrap(api.POST('/api/v1/monitors/{id}/disable', { params: { path: { id: monitor.id } }, body: { rationale } })),
    onSuccess: async (m) => {
      setDisabling(null);
      notifications.show({ color: 'green', message: `Monitor “${m.name}” disabled` });
      await queryClient.invalidateQueries({ queryKey: monitorsQueryKey(systemId) });
    },
  });
  if (monitors.isError) return <ErrorState error={monitors.error} title="The monitors could not be loaded" />;
  if (!monitors.data) return <Loading label="Loading the monitors…" />;
  const items = monitors.data.items;
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2} size="h4">
          Monitors
        </Title>
        {mayEdit && <Button onClick={() => setCreating(true)}>Set a monitor</Button>}
      </Group>
      {items.length === 0 ? (
        <Empty title="No monitors on this system">A monitor watches a metric and raises an alert when it crosses its threshold.</Empty>
      ) : (
        <Table withTableBorder striped aria-label="Monitors" fz="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Monitor</Table.Th>
              <Table.Th>Metric</Table.Th>
              <Table.Th>Rule (comparison, threshold, window)</Table.Th>
              <Table.Th>Severity</Table.Th>
              <Table.Th>Owner</Table.Th>
              <Table.Th>State</Table.Th>
              <Table.Th>
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((m) => (
              <Table.Tr key={m.id}>
                <Table.Td>
                  {m.name}
                  {m.group && (
                    <Text size="xs" c="dimmed">
                      label {m.group}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <code>{m.metric}</code>
                </Table.Td>
                <Table.Td>{ruleOf(m)}</Table.Td>
                <Table.Td>
                  <Badge variant="light" color={SEVERITY_COLOR[m.severity]}>
                    {m.severity}
                  </Badge>
                </Table.Td>
                <Table.Td>{m.ownerName ?? m.ownerId}</Table.Td>
                <Table.Td>
                  {m.enabled ? (
                    <Badge variant="light" color="green">
                      Enabled
                    </Badge>
                  ) : (
                    <Text size="xs">
                      Disabled <Time value={m.updatedAt} plain />
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  {mayEdit && m.enabled && (
                    <Group gap={4} wrap="nowrap">
                      <Button size="xs" variant="default" onClick={() => setEditing(m)} aria-label={`Change “${m.name}”`}>
                        Change
                      </Button>
                      <Button size="xs" variant="default" onClick={() => setDisabling(m)} aria-label={`Disable “${m.name}”`}>
                        Disable
                      </Button>
                    </Group>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {metricsOf(items).map(({ metric, monitors: list }) => (
        <MetricCard key={metric} systemId={systemId} metric={metric} monitors={list} window={window} />
      ))}
      {creating && <MonitorDialog systemId={systemId} onClose={() => setCreating(false)} />}
      {editing && <MonitorDialog systemId={systemId} monitor={editing} onClose={() => setEditing(null)} />}
      {disabling && (
        <ReasonDialog
          opened
          title={`Disable “${disabling.name}”`}
          explanation="The monitor stops raising alerts. Say why; the reason is kept in the ledger."
          submitLabel="Disable"
          color="red"
          pending={disable.isPending}
          error={disable.error}
          onSubmit={(rationale) => disable.mutate({ monitor: disabling, rationale })}
          onClose={() => {
            disable.reset();
            setDisabling(null);
          }}
        />
      )}
    </Stack>
  );
}

function MetricCard({
  systemId,
  metric,
  monitors,
  window,
}: {
  systemId: string;
  metric: string;
  monitors: Monitor[];
  window: { from: string; to: string; label: string };
}) {
  const [asTable, setAsTable] = useState(false);
  const series = useQuery({
    queryKey: ['metric-series', systemId, metric, window.from, window.to],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/systems/{id}/metrics/{name}/points', {
          params: { path: { id: systemId, name: metric }, query: { from: window.from, to: window.to, buckets: 200 } },
        }),
      ),
  });
  const key = valueKeyOf(monitors[0]?.aggregation ?? 'avg');
  const thresholds = monitors
    .filter((m) => m.enabled)
    .map((m) => `${m.name} ${ruleOf(m)}`)
    .join('; ');
  const titleId = `metric-${metric}`;
  return (
    <Card withBorder component="section" aria-labelledby={titleId}>
      <Group justify="space-between" mb="xs">
        <Stack gap={0}>
          <Title order={3} size="h5" id={titleId}>
            {metric}
          </Title>
          <Text size="xs" c="dimmed">
            {window.label}; thresholds: {thresholds || 'none enabled'}
          </Text>
        </Stack>
        <Button size="xs" variant="default" onClick={() => setAsTable((v) => !v)} aria-pressed={asTable}>
          {asTable ? 'Hide the table' : 'Show as a table'}
        </Button>
      </Group>
      {series.isError ? (
        <ErrorState error={series.error} title={`The points of ${metric} could not be loaded`} />
      ) : !series.data ? (
        <Loading label={`Loading ${metric}…`} />
      ) : series.data.buckets.length === 0 ? (
        <Empty title={`No points of ${metric} in this window`}>Points arrive through POST /api/v1/metrics/points.</Empty>
      ) : (
        <>
          <div
            role="img"
            aria-label={`${metric}, ${key} per ${series.data.bucket}, ${series.data.points} points; thresholds: ${thresholds || 'none'}`}
          >
            <Suspense fallback={<Loading label="Drawing the chart…" />}>
              <MetricChart series={series.data} monitors={monitors} />
            </Suspense>
          </div>
          <SeriesTable metric={metric} series={series.data} visible={asTable} />
        </>
      )}
    </Card>
  );
}

function SeriesTable({ metric, series, visible }: { metric: string; series: Series; visible: boolean }) {
  const table = (
    <Table withTableBorder fz="xs" mt="sm" aria-label={`${metric} per ${series.bucket}`}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{series.bucket} from</Table.Th>
          <Table.Th>points</Table.Th>
          <Table.Th>avg</Table.Th>
          <Table.Th>min</Table.Th>
          <Table.Th>max</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {series.buckets.map((b) => (
          <Table.Tr key={b.at}>
            <Table.Td>
              <Time value={b.at} plain />
            </Table.Td>
            <Table.Td>{b.count}</Table.Td>
            <Table.Td>{formatNumber(b.avg)}</Table.Td>
            <Table.Td>{formatNumber(b.min)}</Table.Td>
            <Table.Td>{formatNumber(b.max)}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
  return visible ? table : <VisuallyHidden>{table}</VisuallyHidden>;
}
