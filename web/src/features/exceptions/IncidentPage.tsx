// Incident: every applicable reporting deadline counting down, the reports filed against each (on
// time or late), filing a report; then the same lifecycle as any exception.
import { Badge, Button, Group, Paper, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { useSession } from '../../api/session';
import type { Answer } from '../../api/types';
import { PageHeader } from '../../components/PageHeader';
import { Empty, ErrorState, Loading } from '../../components/states';
import { Time } from '../../components/Time';
import { incidentRoute } from '../../routes/exceptions.routes';
import { humanize } from '../systems/labels';
import { Countdown } from './Countdown';
import { ExceptionWorkflow, mayManage, SystemLink } from './ExceptionWorkflow';
import { incidentQuery } from './queries';
import { isoFromLocal, StepDialog } from './StepDialog';

type Incident = Answer<'getIncident'>;
type Deadline = Incident['deadlines'][number];

const DEADLINE_COLOR: Record<Deadline['status'], string> = { due: 'blue', overdue: 'red', filed_on_time: 'green', filed_late: 'orange' };

export function IncidentPage() {
  const { incidentId } = incidentRoute.useParams();
  const incident = useQuery(incidentQuery(incidentId));
  if (incident.isError) return <ErrorState error={incident.error} title="This incident could not be loaded" />;
  if (!incident.data) return <Loading label="Loading the incident…" />;
  const i = incident.data;
  return (
    <>
      <PageHeader
        title={i.title}
        description={
          <Text span size="sm">
            Incident on <SystemLink systemId={i.systemId} /> · aware since <Time value={i.incident.awareAt} />
            {i.incident.harmCategories.length > 0 && ` · harm: ${i.incident.harmCategories.map(humanize).join(', ')}`}
          </Text>
        }
      />
      <Stack>
        <Deadlines incident={i} />
        <ExceptionWorkflow exception={i} />
      </Stack>
    </>
  );
}

function Deadlines({ incident: i }: { incident: Incident }) {
  const session = useSession();
  const [filing, setFiling] = useState<Deadline | null>(null);
  const manage = mayManage(session, i);
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="deadlines">
      <Title order={2} size="h4" id="deadlines" mb="xs">
        Reporting deadlines
      </Title>
      {i.deadlines.length === 0 ? (
        <Empty title="No reporting deadline applies">No harm or flag recorded for this incident calls for a report to an authority.</Empty>
      ) : (
        <Table withTableBorder fz="sm" aria-label="Reporting deadlines">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Report</Table.Th>
              <Table.Th>Due</Table.Th>
              <Table.Th miw={130}>Status</Table.Th>
              <Table.Th>Reports filed</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {i.deadlines.map((d) => (
              <Table.Tr key={d.key} data-testid={`deadline-${d.key}`}>
                <Table.Td>
                  <Text size="sm" fw={600}>
                    {d.title}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {d.articles.join(', ')} · {d.basis}
                    {d.provisional && ' (provisional)'}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Countdown dueAt={d.dueAt} done={d.reports.length > 0} />
                </Table.Td>
                <Table.Td>
                  <Badge variant="light" color={DEADLINE_COLOR[d.status]}>
                    {humanize(d.status)}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  <Stack gap={4}>
                    {d.reports.map((r) => (
                      <Text key={r.id} size="sm">
                        {r.reference} · filed <Time value={r.filedAt} /> · {r.onTime ? 'on time' : 'late'}
                        {r.note && ` · ${r.note}`}
                      </Text>
                    ))}
                    {manage && (
                      <Button size="compact-xs" variant="light" onClick={() => setFiling(d)} w="fit-content">
                        File a report<VisuallyHidden> for {d.title}</VisuallyHidden>
                      </Button>
                    )}
                  </Stack>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {filing && (
        <StepDialog
          title={`File a report: ${filing.title}`}
          submitLabel="File report"
          onClose={() => setFiling(null)}
          fields={[
            { name: 'reference', label: 'Reference', kind: 'text', description: "The authority's or our own reference" },
            { name: 'filedAt', label: 'Filed at', kind: 'datetime', optional: true, description: 'Now when empty' },
            { name: 'note', label: 'Note', kind: 'textarea', optional: true },
          ]}
          submit={(v) =>
            unwrap(
              api.POST('/api/v1/incidents/{id}/reports', {
                params: { path: { id: i.id } },
                body: {
                  deadlineKey: filing.key,
                  reference: v.reference,
                  ...(v.filedAt ? { filedAt: isoFromLocal(v.filedAt) } : {}),
                  ...(v.note.trim() ? { note: v.note } : {}),
                },
              }),
            )
          }
        >
          <Group gap="xs">
            <Text size="sm">Due</Text>
            <Countdown dueAt={filing.dueAt} />
          </Group>
        </StepDialog>
      )}
    </Paper>
  );
}
