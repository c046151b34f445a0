// One framework: its assessed controls, each with its status, why, and since when it holds; filtered
// by status (and by AI system) in the URL. A control links to its page with the evidence.
import { Anchor, Button, Group, Paper, Select, Stack, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { AnchorLink } from '../../components/AnchorLink';
import { PageHeader } from '../../components/PageHeader';
import { SystemPicker } from '../../components/SystemPicker';
import { Empty, ErrorState, Loading } from '../../components/states';
import { Time } from '../../components/Time';
import { CONTROL_STATUSES, type ControlStatus, type FrameworkSearch, frameworkRoute } from '../../routes/frameworks.routes';
import { ExportEvidenceButton } from '../evidence/ExportEvidenceButton';
import { STATUS_LABEL, splitControlId } from './model';
import { frameworksQuery, statusQuery } from './queries';
import { reasonsOf } from './reasons';
import { StatusBadge } from './StatusBadge';

const BASIS: Record<string, string> = {
  rule: 'evaluated on the records',
  crosswalk: 'from ISO/IEC 42001 controls',
  manual: 'assessed manually',
};

export function FrameworkPage() {
  const { framework } = frameworkRoute.useParams();
  const search = frameworkRoute.useSearch();
  const navigate = useNavigate({ from: '/frameworks/$framework' });
  const setSearch = (change: Partial<FrameworkSearch>) =>
    navigate({ search: (prev: FrameworkSearch) => Object.fromEntries(Object.entries({ ...prev, ...change }).filter(([, v]) => v)) });
  const frameworks = useQuery(frameworksQuery);
  const status = useQuery(statusQuery(framework, search.system));
  const info = frameworks.data?.items.find((f) => f.id === framework);
  const items = (status.data?.items ?? []).filter((item) => !search.status || item.status === search.status);
  return (
    <>
      <PageHeader
        title={info?.title ?? framework}
        description={
          info
            ? `${info.publisher} · version ${info.version} · catalog ${info.catalogVersion}`
            : 'The controls of the framework and their status.'
        }
        actions={
          <>
            <Button
              variant="default"
              renderRoot={(props) => (
                <Link {...props} to="/frameworks/gaps" search={{ framework, ...(search.system ? { system: search.system } : {}) }} />
              )}
            >
              Gap list
            </Button>
            <ExportEvidenceButton scope="framework" id={framework} label={info?.short ?? framework} />
          </>
        }
      />
      <Paper withBorder p="sm" mb="md">
        <Group align="flex-end">
          <Select
            label="Status"
            clearable
            w={200}
            data={CONTROL_STATUSES.map((s) => ({ value: s, label: STATUS_LABEL[s] }))}
            value={search.status ?? null}
            onChange={(v) => setSearch({ status: (v ?? undefined) as ControlStatus | undefined })}
          />
          <SystemPicker label="AI system" w={260} value={search.system ?? null} onChange={(v) => setSearch({ system: v ?? undefined })} />
        </Group>
      </Paper>
      {status.isError ? (
        <ErrorState error={status.error} title="The status could not be evaluated" />
      ) : !status.data ? (
        <Loading label="Evaluating the controls…" />
      ) : (
        <>
          <Group gap="xs" mb="sm">
            {CONTROL_STATUSES.map((s) => (
              <Text key={s} size="sm">
                <StatusBadge status={s} /> {status.data.summary[s]}
              </Text>
            ))}
            <Text size="xs" c="dimmed">
              evaluated <Time value={status.data.evaluatedAt} />
            </Text>
          </Group>
          {items.length === 0 ? (
            <Empty
              title={
                search.status ? `No control is ${STATUS_LABEL[search.status].toLowerCase()}` : 'This framework has no assessed control'
              }
            />
          ) : (
            <Table withTableBorder striped aria-label={`Controls of ${info?.short ?? framework}`} fz="sm">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Control</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Why</Table.Th>
                  <Table.Th>Since</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((item) => {
                  const { control } = splitControlId(item.controlId);
                  const reasons = reasonsOf(item);
                  return (
                    <Table.Tr key={item.controlId}>
                      <Table.Td>
                        <AnchorLink to="/frameworks/$framework/controls/$control" params={{ framework, control }} size="sm" fw={600}>
                          {control}
                        </AnchorLink>
                        <Text size="sm">{item.title}</Text>
                      </Table.Td>
                      <Table.Td>
                        <StatusBadge status={item.status} />
                        <Text size="xs" c="dimmed">
                          {BASIS[item.basis]}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <Stack gap={2}>
                          {reasons.shown.map((r) => (
                            <Text key={r} size="sm">
                              {r}
                            </Text>
                          ))}
                          {reasons.more > 0 && (
                            <Text size="xs" c="dimmed">
                              and {reasons.more} more
                            </Text>
                          )}
                          {item.basis === 'crosswalk' && (
                            <Text size="xs">
                              from{' '}
                              {item.derivedFrom.map((id, i) => {
                                const to = splitControlId(id);
                                return (
                                  <span key={id}>
                                    {i > 0 && ', '}
                                    <Anchor
                                      size="xs"
                                      underline="always"
                                      renderRoot={(props) => <Link {...props} to="/frameworks/$framework/controls/$control" params={to} />}
                                    >
                                      {id}
                                    </Anchor>
                                  </span>
                                );
                              })}
                            </Text>
                          )}
                        </Stack>
                      </Table.Td>
                      <Table.Td>
                        <Time value={item.since} />
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          )}
        </>
      )}
    </>
  );
}
