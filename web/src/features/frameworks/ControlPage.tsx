// One control: what it asks (our one-line description), its crosswalk to other frameworks with the
// source of each link, its status for the organisation and per AI system with the reasons it fails,
// and its evidence: the ledger events that evidence it (one server page at a time), each linked to
// the page of its record and with its inclusion proof checkable in the browser.
import { Anchor, Badge, Group, Pagination, Paper, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { holds, useSession } from '../../api/session';
import { AnchorLink } from '../../components/AnchorLink';
import { PageHeader } from '../../components/PageHeader';
import { Empty, ErrorState, Loading } from '../../components/states';
import { Time } from '../../components/Time';
import { type ControlSearch, controlRoute } from '../../routes/frameworks.routes';
import { ExportEvidenceButton } from '../evidence/ExportEvidenceButton';
import { ProofCheck } from '../ledger/ProofCheck';
import { recordPageOf, splitControlId } from './model';
import { type CatalogControl, catalogQuery, type EvidenceEvent, evidenceQuery, type StatusItem, statusQuery } from './queries';
import { reasonsOf } from './reasons';
import { StatusBadge } from './StatusBadge';

/** Who may read the ledger's events (GET /api/v1/ledger/events); the server refuses the rest. */
const LEDGER_READERS = ['admin', 'auditor', 'governance_lead'] as const;
const PAGE = 25;

const isUrl = (text: string) => /^https?:\/\//.test(text);

function ControlLink({ controlId }: { controlId: string }) {
  const params = splitControlId(controlId);
  return (
    <AnchorLink to="/frameworks/$framework/controls/$control" params={params} size="sm" underline="always">
      {controlId}
    </AnchorLink>
  );
}

function About({ control }: { control: CatalogControl }) {
  return (
    <Paper withBorder p="md">
      <Title order={2} size="h4" mb="xs">
        What it asks
      </Title>
      <Text size="sm">{control.description || '—'}</Text>
      <Group gap="xs" mt="xs">
        <Badge variant="outline" color="gray">
          {control.kind}
        </Badge>
        {control.location && (
          <Text size="xs" c="dimmed">
            {control.location}
          </Text>
        )}
        {control.parent && (
          <Text size="xs">
            part of <ControlLink controlId={control.parent} />
          </Text>
        )}
      </Group>
      {control.applies && control.applies.length > 0 && (
        <Stack gap={2} mt="xs">
          {control.applies.map((a) => (
            <Text key={`${a.scope}-${a.from}`} size="xs">
              Applies to {a.scope === 'all' ? 'all' : a.scope.replace(/-/g, ' ')} from {a.from}
              {a.note ? ` (${a.note})` : ''}
            </Text>
          ))}
        </Stack>
      )}
    </Paper>
  );
}

function Crosswalk({ control }: { control: CatalogControl }) {
  return (
    <Paper withBorder p="md">
      <Title order={2} size="h4" mb="xs">
        Crosswalk
      </Title>
      {control.crosswalk.length === 0 ? (
        <Text size="sm" c="dimmed">
          No link to another framework's control.
        </Text>
      ) : (
        <Table fz="sm" aria-label="Crosswalk to other frameworks">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Control</Table.Th>
              <Table.Th>Relationship</Table.Th>
              <Table.Th>Source</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {control.crosswalk.map((link) => (
              <Table.Tr key={`${link.controlId}-${link.relationship}`}>
                <Table.Td>
                  <ControlLink controlId={link.controlId} />
                </Table.Td>
                <Table.Td>
                  {link.relationship.replace(/-/g, ' ')}
                  {link.note && (
                    <Text size="xs" c="dimmed">
                      {link.note}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  {isUrl(link.source) ? (
                    <Anchor href={link.source} size="sm" target="_blank" rel="noreferrer">
                      {new URL(link.source).hostname}
                    </Anchor>
                  ) : (
                    link.source
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Paper>
  );
}

function Status({ item }: { item: StatusItem | undefined }) {
  if (!item) {
    return (
      <Paper withBorder p="md">
        <Title order={2} size="h4" mb="xs">
          Status
        </Title>
        <Text size="sm" c="dimmed">
          This entry groups other controls; it has no status of its own.
        </Text>
      </Paper>
    );
  }
  const reasons = reasonsOf(item, 10);
  return (
    <Paper withBorder p="md">
      <Title order={2} size="h4" mb="xs">
        Status
      </Title>
      <Group gap="sm" mb="xs">
        <StatusBadge status={item.status} size="lg" />
        <Text size="sm">
          for the organisation, since <Time value={item.since} />
        </Text>
      </Group>
      {reasons.shown.map((r) => (
        <Text key={r} size="sm">
          {r}
        </Text>
      ))}
      {item.basis === 'crosswalk' && (
        <Text size="sm">
          Derived from{' '}
          {item.derivedFrom.map((id, i) => (
            <span key={id}>
              {i > 0 && ', '}
              <ControlLink controlId={id} />
            </span>
          ))}
          : see each for its AI systems.
        </Text>
      )}
      {item.systems.length > 0 && (
        <Table fz="sm" mt="sm" aria-label="Status per AI system">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>AI system</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Why it fails</Table.Th>
              <Table.Th>Since</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {item.systems.map((s) => (
              <Table.Tr key={s.systemId}>
                <Table.Td>
                  <AnchorLink to="/systems/$systemId" params={{ systemId: s.systemId }} size="sm">
                    {s.name}
                  </AnchorLink>
                </Table.Td>
                <Table.Td>
                  <StatusBadge status={s.status} />
                </Table.Td>
                <Table.Td>{s.reasons.length ? s.reasons.join('; ') : '—'}</Table.Td>
                <Table.Td>
                  <Time value={s.since} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Paper>
  );
}

function RecordLink({ event }: { event: EvidenceEvent }) {
  const page = recordPageOf(event.event);
  if (!page) return <Text size="sm">—</Text>;
  return (
    <Anchor size="sm" renderRoot={(props) => <Link {...props} to={page.to} params={page.params} search={page.search} />}>
      {page.label}
    </Anchor>
  );
}

function Evidence({ controlId, control }: { controlId: string; control: CatalogControl | undefined }) {
  const session = useSession();
  const search = controlRoute.useSearch();
  const navigate = useNavigate({ from: '/frameworks/$framework/controls/$control' });
  const mayRead = holds(session, LEDGER_READERS);
  const page = search.page ?? 1;
  const events = useQuery({ ...evidenceQuery(controlId, PAGE, (page - 1) * PAGE), enabled: mayRead, placeholderData: keepPreviousData });
  const pages = events.data ? Math.max(1, Math.ceil(events.data.total / PAGE)) : 1;
  return (
    <Paper withBorder p="md">
      <Title order={2} size="h4" mb="xs">
        Evidence
      </Title>
      {control && control.evidencedBy.length > 0 && (
        <Text size="sm" mb="xs">
          Evidenced by{' '}
          {control.evidencedBy.map((e, i) => (
            <span key={`${e.eventType}-${e.fact}`}>
              {i > 0 && ', '}
              <code>{e.eventType}</code>
              {e.fact ? ` (when ${e.fact})` : ''}
            </span>
          ))}
          .
        </Text>
      )}
      {!mayRead ? (
        <Text size="sm" c="dimmed">
          The ledger's events are shown to auditors, governance leads and administrators.
        </Text>
      ) : events.isError ? (
        <ErrorState error={events.error} title="The evidence could not be loaded" />
      ) : !events.data ? (
        <Loading label="Loading the evidence…" />
      ) : events.data.items.length === 0 ? (
        <Empty title="No ledger event evidences this control yet" />
      ) : (
        <>
          <Table fz="sm" striped aria-label="Ledger events evidencing this control">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Entry</Table.Th>
                <Table.Th>Event</Table.Th>
                <Table.Th>Recorded</Table.Th>
                <Table.Th>Record</Table.Th>
                <Table.Th>Proof</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {events.data.items.map((e) => (
                <Table.Tr key={e.seq}>
                  <Table.Td>
                    <AnchorLink to="/ledger" search={{ seq: e.seq }} size="sm">
                      #{e.seq}
                    </AnchorLink>
                  </Table.Td>
                  <Table.Td>
                    <code>{e.type}</code>
                  </Table.Td>
                  <Table.Td>
                    <Time value={e.recordedAt} />
                  </Table.Td>
                  <Table.Td>
                    <RecordLink event={e} />
                  </Table.Td>
                  <Table.Td>
                    <ProofCheck
                      entry={{ seq: e.seq, eventId: e.eventId, type: e.type, recordedAt: e.recordedAt }}
                      label={`Check #${e.seq}`}
                    />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Group justify="space-between" mt="sm">
            <Text size="sm" c="dimmed" role="status">
              {events.data.total} events
            </Text>
            {pages > 1 && (
              <Pagination
                total={pages}
                value={page}
                onChange={(p) => navigate({ search: (prev: ControlSearch) => ({ ...prev, page: p > 1 ? p : undefined }) })}
                getControlProps={(c) => ({ 'aria-label': `${c} page` })}
                getItemProps={(p) => ({ 'aria-label': `Page ${p}` })}
              />
            )}
          </Group>
        </>
      )}
    </Paper>
  );
}

export function ControlPage() {
  const { framework, control } = controlRoute.useParams();
  const controlId = `${framework}:${control}`;
  const catalog = useQuery(catalogQuery(framework));
  const status = useQuery(statusQuery(framework));
  const entry = catalog.data?.find((c) => c.controlId === controlId);
  if (catalog.isError) return <ErrorState error={catalog.error} title="The catalog could not be loaded" />;
  if (!catalog.data) return <Loading label="Loading the control…" />;
  if (!entry) {
    return (
      <>
        <PageHeader title={controlId} />
        <Empty title="No such control">
          {framework} has no entry {control}.{' '}
          <AnchorLink to="/frameworks/$framework" params={{ framework }} search={{}} underline="always">
            See its controls
          </AnchorLink>
        </Empty>
      </>
    );
  }
  const item = status.data?.items.find((i) => i.controlId === controlId);
  return (
    <>
      <PageHeader
        title={`${control} ${entry.title}`}
        description={
          <>
            <AnchorLink to="/frameworks/$framework" params={{ framework }} search={{}} size="sm" underline="always">
              {framework}
            </AnchorLink>{' '}
            · {controlId}
          </>
        }
        actions={<ExportEvidenceButton scope="control" id={controlId} label={controlId} />}
      />
      <Stack gap="md">
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          <About control={entry} />
          {status.isError ? (
            <ErrorState error={status.error} title="The status could not be evaluated" />
          ) : !status.data ? (
            <Loading label="Evaluating the control…" />
          ) : (
            <Status item={item} />
          )}
        </SimpleGrid>
        <Crosswalk control={entry} />
        <Evidence controlId={controlId} control={entry} />
      </Stack>
    </>
  );
}
