// AI system: its purpose and intended use, owners per lifecycle phase, model versions and data
// sources, the runtime state, its complete history (with proofs) and its changes side by side.
import { Anchor, Badge, Button, Grid, Group, Paper, SimpleGrid, Stack, Table, Tabs, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { type ReactNode, useState } from 'react';
import { api, unwrap } from '../../api/client';
import { holds, useSession } from '../../api/session';
import { PageHeader } from '../../components/PageHeader';
import { Empty, ErrorState, Loading } from '../../components/states';
import { Time } from '../../components/Time';
import { type SystemSearch, systemRoute } from '../../routes/systems.routes';
import { ExportEvidenceButton } from '../evidence/ExportEvidenceButton';
import { SystemReviews } from '../reviews/SystemReviews';
import { DataSourceRepresentativeness } from './DataSourceRepresentativeness';
import { humanize, TIER_COLOR } from './labels';
import { OwnersPanel } from './OwnersPanel';
import { PublicationPanel } from './PublicationPanel';
import { systemQuery } from './queries';
import { DataSourceDialog, ModelVersionDialog } from './RecordDialogs';
import { SystemChanges } from './SystemChanges';
import { SystemHistory } from './SystemHistory';

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed" fw={600}>
        {label}
      </Text>
      <Text size="sm" component="div">
        {children}
      </Text>
    </div>
  );
}

const RUNTIME_COLOR: Record<string, string> = { active: 'green', restricted: 'yellow', paused: 'red' };

function RuntimePanel({ systemId }: { systemId: string }) {
  const runtime = useQuery({
    queryKey: ['systems', systemId, 'runtime'],
    queryFn: () => unwrap(api.GET('/api/v1/systems/{id}/runtime', { params: { path: { id: systemId } } })),
  });
  return (
    <Paper withBorder p="sm">
      <Title order={2} size="h4" mb="xs">
        Runtime state
      </Title>
      {runtime.isError ? (
        <ErrorState error={runtime.error} title="The runtime state could not be read" />
      ) : !runtime.data ? (
        <Loading />
      ) : (
        <Stack gap={4}>
          <Group gap="xs">
            <Badge color={RUNTIME_COLOR[runtime.data.state] ?? 'gray'} size="lg" variant="light" c="var(--mantine-color-text)">
              {humanize(runtime.data.state)}
            </Badge>
            <Text size="xs" c="dimmed">
              checked <Time value={runtime.data.checkedAt} />
            </Text>
          </Group>
          <Text size="sm">When Proofline cannot be reached, the system is {runtime.data.failSafeDefault}.</Text>
          {Object.keys(runtime.data.conditions).length > 0 && (
            <Text size="sm">
              Conditions: <code>{JSON.stringify(runtime.data.conditions)}</code>
            </Text>
          )}
        </Stack>
      )}
    </Paper>
  );
}

function ModelVersions({ systemId }: { systemId: string }) {
  const versions = useQuery({
    queryKey: ['systems', systemId, 'model-versions'],
    queryFn: () => unwrap(api.GET('/api/v1/systems/{id}/model-versions', { params: { path: { id: systemId } } })),
  });
  if (versions.isError) return <ErrorState error={versions.error} title="The model versions could not be loaded" />;
  if (!versions.data) return <Loading />;
  if (versions.data.length === 0) return <Empty title="No model version registered" />;
  return (
    <Table withTableBorder fz="sm" aria-label="Model versions">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Label</Table.Th>
          <Table.Th>Status</Table.Th>
          <Table.Th>Artifact SHA-256</Table.Th>
          <Table.Th>Registered</Table.Th>
          <Table.Th>Deployed</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {versions.data.map((v) => (
          <Table.Tr key={v.id}>
            <Table.Td>{v.label}</Table.Td>
            <Table.Td>{humanize(v.status)}</Table.Td>
            <Table.Td ff="monospace" title={v.artifactSha256}>
              {v.artifactSha256.slice(0, 12)}…
            </Table.Td>
            <Table.Td>
              <Time value={v.createdAt} /> {v.registeredByName && `by ${v.registeredByName}`}
            </Table.Td>
            <Table.Td>
              <Time value={v.deployedAt} />
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function DataSources({ systemId }: { systemId: string }) {
  const sources = useQuery({
    queryKey: ['systems', systemId, 'data-sources'],
    queryFn: () => unwrap(api.GET('/api/v1/systems/{id}/data-sources', { params: { path: { id: systemId } } })),
  });
  if (sources.isError) return <ErrorState error={sources.error} title="The data sources could not be loaded" />;
  if (!sources.data) return <Loading />;
  if (sources.data.length === 0) return <Empty title="No data source recorded" />;
  return (
    <Table withTableBorder fz="sm" aria-label="Data sources">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Name</Table.Th>
          <Table.Th>Kind</Table.Th>
          <Table.Th>Personal data</Table.Th>
          <Table.Th>Provenance</Table.Th>
          <Table.Th>Owner</Table.Th>
          <Table.Th>Representativeness</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {sources.data.map((s) => (
          <Table.Tr key={s.id}>
            <Table.Td>{s.name}</Table.Td>
            <Table.Td>{s.kind}</Table.Td>
            <Table.Td>{s.containsPersonalData ? 'Yes' : 'No'}</Table.Td>
            <Table.Td>{s.provenance || '—'}</Table.Td>
            <Table.Td>{s.ownerName ?? '—'}</Table.Td>
            <Table.Td>
              <DataSourceRepresentativeness dataSourceId={s.id} />
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** A list of a system's records under its heading, with the button that adds one for who may. */
function RecordsSection({
  title,
  action,
  children,
}: {
  title: string;
  action: { label: string; onClick: () => void } | null;
  children: ReactNode;
}) {
  return (
    <Stack gap="xs">
      <Group justify="space-between">
        <Title order={2} size="h4">
          {title}
        </Title>
        {action && (
          <Button size="xs" variant="default" onClick={action.onClick}>
            {action.label}
          </Button>
        )}
      </Group>
      {children}
    </Stack>
  );
}

export function SystemPage() {
  const { systemId } = systemRoute.useParams();
  const search = systemRoute.useSearch();
  const navigate = useNavigate({ from: '/systems/$systemId' });
  const system = useQuery(systemQuery(systemId));
  const session = useSession();
  const [dialog, setDialog] = useState<'model-version' | 'data-source' | null>(null);
  if (system.isError) {
    return (
      <>
        <PageHeader title="AI system" />
        <ErrorState error={system.error} title="This system could not be loaded" />
        <Anchor component={Link} to="/systems" mt="sm" display="inline-block">
          Back to the inventory
        </Anchor>
      </>
    );
  }
  if (!system.data) return <Loading label="Loading the system…" />;
  const s = system.data;
  const tab = search.tab ?? 'overview';
  // The roles the server admits for model versions and data sources (systems-records.routes.ts).
  const mayEdit = holds(session, ['admin', 'governance_lead', 'system_owner'], s.id);
  return (
    <>
      <PageHeader
        title={s.name}
        description={
          <>
            {humanize(s.aiType)} · {humanize(s.deploymentKind)} · version {s.version} · registered <Time value={s.createdAt} />
            {s.createdByName && ` by ${s.createdByName}`}
          </>
        }
        actions={
          <Group gap="xs">
            <Button variant="default" renderRoot={(props) => <Link {...props} to="/systems/$systemId/monitoring" params={{ systemId }} />}>
              Monitoring
            </Button>
            <Badge size="lg" variant="light" c="var(--mantine-color-text)" color={TIER_COLOR[s.euRiskTier] ?? 'gray'}>
              EU tier: {humanize(s.euRiskTier)}
            </Badge>
            <Badge size="lg" variant="outline" color="gray">
              {humanize(s.status)}
            </Badge>
            <ExportEvidenceButton scope="system" id={s.id} label={s.name} />
          </Group>
        }
      />
      <Tabs
        value={tab}
        onChange={(value) =>
          navigate({
            search: (prev: SystemSearch) => ({ ...prev, tab: value === 'overview' ? undefined : (value as SystemSearch['tab']) }),
          })
        }
        keepMounted={false}
      >
        <Tabs.List mb="md">
          <Tabs.Tab value="overview">Overview</Tabs.Tab>
          <Tabs.Tab value="history">History</Tabs.Tab>
          <Tabs.Tab value="changes">Changes</Tabs.Tab>
          <Tabs.Tab value="reviews">
            Reviews
            {s.reviewOverdue && (
              <Badge ml={6} size="xs" color="red" variant="light">
                overdue
              </Badge>
            )}
          </Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="overview">
          <Grid gap="md">
            <Grid.Col span={{ base: 12, md: 8 }}>
              <Stack gap="md">
                <Paper withBorder p="sm">
                  <Stack gap="sm">
                    <Fact label="Purpose">{s.purpose}</Fact>
                    <Fact label="Intended use">{s.intendedUse}</Fact>
                    {s.description && <Fact label="Description">{s.description}</Fact>}
                    <SimpleGrid cols={{ base: 2, sm: 4 }}>
                      <Fact label="Organisation risk tier">{s.orgRiskTier ?? '—'}</Fact>
                      <Fact label="Vendor">{s.vendor ?? '—'}</Fact>
                      <Fact label="Business unit">{s.businessUnit ?? '—'}</Fact>
                      <Fact label="Jurisdictions">{s.jurisdictions.join(', ') || '—'}</Fact>
                      <Fact label="Tags">{s.tags.join(', ') || '—'}</Fact>
                      <Fact label="Triaged">{s.triagedAt ? <Time value={s.triagedAt} /> : '—'}</Fact>
                      <Fact label="Last change">
                        <Time value={s.updatedAt} />
                      </Fact>
                    </SimpleGrid>
                    {s.links.length > 0 && (
                      <Fact label="Links">
                        {s.links.map((l) => (
                          <Anchor key={l.url} href={l.url} mr="sm" target="_blank" rel="noreferrer">
                            {l.label}
                          </Anchor>
                        ))}
                      </Fact>
                    )}
                  </Stack>
                </Paper>
                <OwnersPanel system={s} />
                <RecordsSection
                  title="Model versions"
                  action={mayEdit ? { label: 'Register a model version', onClick: () => setDialog('model-version') } : null}
                >
                  <ModelVersions systemId={s.id} />
                </RecordsSection>
                <RecordsSection
                  title="Data sources"
                  action={mayEdit ? { label: 'Record a data source', onClick: () => setDialog('data-source') } : null}
                >
                  <DataSources systemId={s.id} />
                </RecordsSection>
                {mayEdit && (
                  <>
                    <ModelVersionDialog systemId={s.id} opened={dialog === 'model-version'} onClose={() => setDialog(null)} />
                    <DataSourceDialog systemId={s.id} opened={dialog === 'data-source'} onClose={() => setDialog(null)} />
                  </>
                )}
              </Stack>
            </Grid.Col>
            <Grid.Col span={{ base: 12, md: 4 }}>
              <Stack gap="md">
                <RuntimePanel systemId={s.id} />
                <PublicationPanel systemId={s.id} />
              </Stack>
            </Grid.Col>
          </Grid>
        </Tabs.Panel>
        <Tabs.Panel value="history">
          <SystemHistory systemId={s.id} search={search} />
        </Tabs.Panel>
        <Tabs.Panel value="changes">
          <SystemChanges systemId={s.id} latest={s.version} search={search} />
        </Tabs.Panel>
        <Tabs.Panel value="reviews">
          <SystemReviews
            system={s}
            page={search.reviewsPage ?? 1}
            onPage={(page) => navigate({ search: (prev: SystemSearch) => ({ ...prev, reviewsPage: page === 1 ? undefined : page }) })}
          />
        </Tabs.Panel>
      </Tabs>
    </>
  );
}
