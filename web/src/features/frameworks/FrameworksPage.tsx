// The frameworks: ISO/IEC 42001, NIST AI RMF, EU AI Act, GDPR and DORA, each with how many of its
// controls the organisation (or one AI system, `?system=`) satisfies, partly, not, or not applicable.
import { Button, Group, Paper, Table, Text } from '@mantine/core';
import { useQueries, useQuery } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { AnchorLink } from '../../components/AnchorLink';
import { PageHeader } from '../../components/PageHeader';
import { SystemPicker } from '../../components/SystemPicker';
import { Empty, ErrorState, Loading } from '../../components/states';
import { CONTROL_STATUSES, frameworksRoute } from '../../routes/frameworks.routes';
import { frameworksQuery, statusQuery } from './queries';
import { StatusBadge } from './StatusBadge';

export function FrameworksPage() {
  const search = frameworksRoute.useSearch();
  const navigate = useNavigate({ from: '/frameworks' });
  const frameworks = useQuery(frameworksQuery);
  const statuses = useQueries({ queries: (frameworks.data?.items ?? []).map((f) => statusQuery(f.id, search.system)) });
  return (
    <>
      <PageHeader
        title="Frameworks"
        description={
          search.system
            ? "Each framework's controls and how one AI system stands against them, from its records."
            : "Each framework's controls and how the organisation stands against them, from its records."
        }
        actions={
          <Button
            variant="default"
            renderRoot={(props) => <Link {...props} to="/frameworks/gaps" search={search.system ? { system: search.system } : {}} />}
          >
            Gap list
          </Button>
        }
      />
      <Paper withBorder p="sm" mb="md">
        <SystemPicker
          label="AI system"
          description="Empty: the whole organisation"
          w={300}
          value={search.system ?? null}
          onChange={(v) => navigate({ search: v ? { system: v } : {} })}
        />
      </Paper>
      {frameworks.isError ? (
        <ErrorState error={frameworks.error} title="The frameworks could not be loaded" />
      ) : !frameworks.data ? (
        <Loading label="Loading the frameworks…" />
      ) : frameworks.data.items.length === 0 ? (
        <Empty title="No framework catalog is installed" />
      ) : (
        <Table withTableBorder striped aria-label="Frameworks and their status" fz="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Framework</Table.Th>
              <Table.Th>Version</Table.Th>
              {CONTROL_STATUSES.map((status) => (
                <Table.Th key={status}>
                  <StatusBadge status={status} />
                </Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {frameworks.data.items.map((framework, i) => {
              const status = statuses[i];
              return (
                <Table.Tr key={framework.id}>
                  <Table.Td>
                    <AnchorLink
                      to="/frameworks/$framework"
                      params={{ framework: framework.id }}
                      search={search.system ? { system: search.system } : {}}
                      fw={600}
                      size="sm"
                    >
                      {framework.title}
                    </AnchorLink>
                    <Text size="xs" c="dimmed">
                      {framework.publisher} · {framework.controlCount} catalog entries
                    </Text>
                  </Table.Td>
                  <Table.Td>{framework.version}</Table.Td>
                  {status?.isError ? (
                    <Table.Td colSpan={4}>
                      <ErrorState error={status.error} title="The status could not be evaluated" />
                    </Table.Td>
                  ) : !status?.data ? (
                    <Table.Td colSpan={4}>
                      <Text size="sm" c="dimmed" role="status">
                        Evaluating…
                      </Text>
                    </Table.Td>
                  ) : (
                    CONTROL_STATUSES.map((s) => <Table.Td key={s}>{status.data.summary[s]}</Table.Td>)
                  )}
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      )}
      <Group mt="md">
        <Text size="xs" c="dimmed">
          Controls without a rule on the records take the status of the ISO/IEC 42001 controls they are crosswalked to, or are assessed
          manually (not applicable here).
        </Text>
      </Group>
    </>
  );
}
