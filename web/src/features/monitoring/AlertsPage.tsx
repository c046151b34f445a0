// Alerts across systems: one server page at a time, filters in the URL; acknowledging or resolving
// an alert takes a written reason (kept in the ledger), offered to those who may handle alerts.
import { Anchor, Badge, Button, Group, Pagination, Paper, Select, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { holds, useSession } from '../../api/session';
import { PageHeader } from '../../components/PageHeader';
import { SystemPicker } from '../../components/SystemPicker';
import { Empty, ErrorState, Loading } from '../../components/states';
import { Time } from '../../components/Time';
import { ALERT_SEVERITIES, ALERT_STATUSES, type AlertsSearch, alertsRoute } from '../../routes/monitoring.routes';
import { ReasonDialog } from '../approvals/ReasonDialog';
import { SEVERITY_COLOR } from '../exceptions/lifecycle';
import { humanize, options } from '../systems/labels';
import type { AlertItem } from './model';

const PAGE = 50;
/** Who may acknowledge and resolve (the server's ALERT_HANDLERS). */
export const ALERT_HANDLERS = ['governance_lead', 'system_owner', 'oversight_officer'] as const;
export const STATUS_COLOR: Record<string, string> = { firing: 'red', acknowledged: 'yellow', resolved: 'green' };

type Action = 'acknowledge' | 'resolve';

export function AlertsPage() {
  const session = useSession();
  const search = alertsRoute.useSearch();
  const navigate = useNavigate({ from: '/monitoring/alerts' });
  const queryClient = useQueryClient();
  const [acting, setActing] = useState<{ alert: AlertItem; action: Action } | null>(null);
  const setSearch = (change: Partial<AlertsSearch>) =>
    navigate({ search: (prev: AlertsSearch) => ({ ...prev, ...change, page: 'page' in change ? change.page : undefined }) });
  const query = {
    ...(search.status ? { status: search.status } : {}),
    ...(search.severity ? { severity: search.severity } : {}),
    ...(search.system ? { systemId: search.system } : {}),
    limit: PAGE,
    offset: ((search.page ?? 1) - 1) * PAGE,
  };
  const alerts = useQuery({
    queryKey: ['alerts', 'list', query],
    queryFn: () => unwrap(api.GET('/api/v1/alerts', { params: { query } })),
    placeholderData: keepPreviousData,
  });
  const act = useMutation({
    mutationFn: ({ alert, action, rationale }: { alert: AlertItem; action: Action; rationale: string }) =>
      action === 'acknowledge'
        ? unwrap(api.POST('/api/v1/alerts/{id}/acknowledge', { params: { path: { id: alert.id } }, body: { rationale } }))
        : unwrap(api.POST('/api/v1/alerts/{id}/resolve', { params: { path: { id: alert.id } }, body: { rationale } })),
    onSuccess: async (alert, { action }) => {
      setActing(null);
      notifications.show({ color: 'green', message: `“${alert.title}” ${action === 'acknowledge' ? 'acknowledged' : 'resolved'}` });
      await queryClient.invalidateQueries({ queryKey: ['alerts'] });
      await queryClient.invalidateQueries({ queryKey: ['dashboard'] });
    },
  });
  const pages = alerts.data ? Math.max(1, Math.ceil(alerts.data.total / PAGE)) : 1;
  const filtered = Boolean(search.status || search.severity || search.system);
  return (
    <>
      <PageHeader title="Alerts" description="Monitoring alerts of every system, most recently fired first." />
      <Paper withBorder p="sm" mb="md">
        <Group align="flex-end">
          <Select
            label="Status"
            clearable
            w={180}
            data={options(ALERT_STATUSES)}
            value={search.status ?? null}
            onChange={(v) => setSearch({ status: (v ?? undefined) as AlertsSearch['status'] })}
          />
          <Select
            label="Severity"
            clearable
            w={160}
            data={options(ALERT_SEVERITIES)}
            value={search.severity ?? null}
            onChange={(v) => setSearch({ severity: (v ?? undefined) as AlertsSearch['severity'] })}
          />
          <SystemPicker label="AI system" w={240} value={search.system ?? null} onChange={(v) => setSearch({ system: v ?? undefined })} />
        </Group>
      </Paper>
      {alerts.isError ? (
        <ErrorState error={alerts.error} title="The alerts could not be loaded" />
      ) : !alerts.data ? (
        <Loading label="Loading the alerts…" />
      ) : alerts.data.items.length === 0 ? (
        <Empty title={filtered ? 'No alert matches these filters' : 'No alerts'}>
          {filtered ? 'Clear a filter to see more.' : 'A monitor raises an alert when its threshold is crossed.'}
        </Empty>
      ) : (
        <>
          <Table withTableBorder striped aria-label="Alerts" fz="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Alert</Table.Th>
                <Table.Th>AI system</Table.Th>
                <Table.Th>Severity</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Last fired</Table.Th>
                <Table.Th>Handling</Table.Th>
                <Table.Th>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {alerts.data.items.map((a) => {
                const mayHandle = holds(session, ALERT_HANDLERS, a.systemId);
                return (
                  <Table.Tr key={a.id}>
                    <Table.Td>
                      <Text size="sm" fw={600}>
                        {a.title}
                      </Text>
                      <Text size="xs" c="dimmed">
                        fired {a.fireCount} {a.fireCount === 1 ? 'time' : 'times'} since <Time value={a.firedAt} plain />
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Anchor
                        size="sm"
                        renderRoot={(props) => <Link {...props} to="/systems/$systemId/monitoring" params={{ systemId: a.systemId }} />}
                      >
                        {a.systemName}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>
                      <Badge variant="light" color={SEVERITY_COLOR[a.severity]}>
                        {a.severity}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      <Badge variant="light" color={STATUS_COLOR[a.status]} styles={{ label: { overflow: 'visible' } }}>
                        {humanize(a.status)}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      <Time value={a.lastFiredAt} />
                    </Table.Td>
                    <Table.Td maw={320}>
                      <Stack gap={2}>
                        {a.acknowledgedAt && (
                          <Text size="xs">
                            Acknowledged by {a.acknowledgedByName ?? a.acknowledgedBy} (<Time value={a.acknowledgedAt} plain />
                            ): {a.acknowledgementRationale}
                          </Text>
                        )}
                        {a.resolvedAt && (
                          <Text size="xs">
                            Resolved <Time value={a.resolvedAt} plain />
                          </Text>
                        )}
                        {a.exceptionId && (
                          <Anchor
                            size="xs"
                            renderRoot={(props) => (
                              <Link {...props} to="/exceptions/$exceptionId" params={{ exceptionId: a.exceptionId ?? '' }} />
                            )}
                          >
                            The exception it opened
                          </Anchor>
                        )}
                        {!a.acknowledgedAt && !a.resolvedAt && !a.exceptionId && (
                          <Text size="xs" c="dimmed">
                            Not handled yet
                          </Text>
                        )}
                      </Stack>
                    </Table.Td>
                    <Table.Td>
                      {mayHandle && a.status !== 'resolved' && (
                        <Group gap={4} wrap="nowrap">
                          {a.status === 'firing' && (
                            <Button
                              size="xs"
                              variant="light"
                              onClick={() => setActing({ alert: a, action: 'acknowledge' })}
                              aria-label={`Acknowledge “${a.title}”`}
                            >
                              Acknowledge
                            </Button>
                          )}
                          <Button
                            size="xs"
                            variant="default"
                            onClick={() => setActing({ alert: a, action: 'resolve' })}
                            aria-label={`Resolve “${a.title}”`}
                          >
                            Resolve
                          </Button>
                        </Group>
                      )}
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
          <Group justify="space-between" mt="md">
            <Text size="sm" c="dimmed" role="status">
              {alerts.data.total} {alerts.data.total === 1 ? 'alert' : 'alerts'}
            </Text>
            {pages > 1 && (
              <Pagination
                total={pages}
                value={search.page ?? 1}
                onChange={(page) => setSearch({ page })}
                getControlProps={(control) => ({ 'aria-label': `${control} page` })}
                getItemProps={(page) => ({ 'aria-label': `Page ${page}` })}
              />
            )}
          </Group>
        </>
      )}
      {acting && (
        <ReasonDialog
          opened
          title={acting.action === 'acknowledge' ? `Acknowledge “${acting.alert.title}”` : `Resolve “${acting.alert.title}”`}
          explanation={
            acting.action === 'acknowledge'
              ? 'Say why: who is on it, or why it needs no action. The reason is kept in the ledger.'
              : 'Say why the alert is over. The reason is kept in the ledger.'
          }
          submitLabel={acting.action === 'acknowledge' ? 'Acknowledge' : 'Resolve'}
          pending={act.isPending}
          error={act.error}
          onSubmit={(rationale) => act.mutate({ ...acting, rationale })}
          onClose={() => {
            act.reset();
            setActing(null);
          }}
        />
      )}
    </>
  );
}
