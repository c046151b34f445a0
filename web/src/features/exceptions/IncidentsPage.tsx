// Incidents: every incident, one server page at a time, filters in the URL; reporting an incident.
import { Anchor, Badge, Button, Checkbox, Group, Pagination, Paper, Select, Table, Text } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { holds, useSession } from '../../api/session';
import { PageHeader } from '../../components/PageHeader';
import { SystemPicker } from '../../components/SystemPicker';
import { Empty, ErrorState, Loading } from '../../components/states';
import { Time } from '../../components/Time';
import { EXCEPTION_STATUSES, type IncidentsSearch, incidentsRoute } from '../../routes/exceptions.routes';
import { humanize, options } from '../systems/labels';
import { Countdown } from './Countdown';
import { RAISERS } from './ExceptionsPage';
import { FINAL, SEVERITY_COLOR, STATUS_COLOR } from './lifecycle';
import { incidentsQuery } from './queries';
import { RaiseDialog } from './RaiseDialog';

const PAGE = 50;

export function IncidentsPage() {
  const session = useSession();
  const search = incidentsRoute.useSearch();
  const navigate = useNavigate({ from: '/incidents' });
  const [reporting, setReporting] = useState(false);
  const setSearch = (change: Partial<IncidentsSearch>) =>
    navigate({ search: (prev: IncidentsSearch) => ({ ...prev, ...change, page: 'page' in change ? change.page : undefined }) });
  const incidents = useQuery({
    ...incidentsQuery({
      status: search.status,
      systemId: search.system,
      overdue: search.overdue,
      limit: PAGE,
      offset: ((search.page ?? 1) - 1) * PAGE,
    }),
    placeholderData: keepPreviousData,
  });
  const pages = incidents.data ? Math.max(1, Math.ceil(incidents.data.total / PAGE)) : 1;
  return (
    <>
      <PageHeader
        title="Incidents"
        description="Incidents and their reporting deadlines (EU AI Act, GDPR, DORA)."
        actions={holds(session, RAISERS) && <Button onClick={() => setReporting(true)}>Report an incident</Button>}
      />
      <Paper withBorder p="sm" mb="md">
        <Group align="flex-end">
          <Select
            label="Status"
            clearable
            w={180}
            data={options(EXCEPTION_STATUSES)}
            value={search.status ?? null}
            onChange={(v) => setSearch({ status: (v ?? undefined) as IncidentsSearch['status'] })}
          />
          <SystemPicker label="AI system" w={240} value={search.system ?? null} onChange={(v) => setSearch({ system: v ?? undefined })} />
          <Checkbox
            label="Overdue only"
            checked={search.overdue === true}
            onChange={(e) => setSearch({ overdue: e.currentTarget.checked ? true : undefined })}
          />
        </Group>
      </Paper>
      {incidents.isError ? (
        <ErrorState error={incidents.error} title="The incidents could not be loaded" />
      ) : !incidents.data ? (
        <Loading label="Loading the incidents…" />
      ) : incidents.data.items.length === 0 ? (
        <Empty title={Object.keys(search).length ? 'No incident matches these filters' : 'No incidents'} />
      ) : (
        <>
          <Table withTableBorder striped aria-label="Incidents" fz="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Incident</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Severity</Table.Th>
                <Table.Th>Owner</Table.Th>
                <Table.Th>Detected</Table.Th>
                <Table.Th>Due</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {incidents.data.items.map((i) => (
                <Table.Tr key={i.id}>
                  <Table.Td>
                    <Anchor renderRoot={(props) => <Link {...props} to="/incidents/$incidentId" params={{ incidentId: i.id }} />} size="sm">
                      {i.title}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    <Badge variant="light" color={STATUS_COLOR[i.status]}>
                      {humanize(i.status)}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <Badge variant="light" color={SEVERITY_COLOR[i.severity]}>
                      {i.severity}
                    </Badge>
                  </Table.Td>
                  <Table.Td>{i.ownerName ?? i.ownerId}</Table.Td>
                  <Table.Td>
                    <Time value={i.detectedAt} />
                  </Table.Td>
                  <Table.Td>{FINAL.includes(i.status) ? '—' : <Countdown dueAt={i.dueAt} />}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Group justify="space-between" mt="md">
            <Text size="sm" c="dimmed" role="status">
              {incidents.data.total} incidents
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
      {reporting && <RaiseDialog incident onClose={() => setReporting(false)} />}
    </>
  );
}
