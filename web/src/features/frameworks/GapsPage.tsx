// The gap list: every evidence condition that fails, per framework and per AI system (or per
// control): what is missing, who owns fixing it, and a link to the page where the fix starts.
import { Anchor, Group, Paper, SegmentedControl, Select, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { AnchorLink } from '../../components/AnchorLink';
import { PageHeader } from '../../components/PageHeader';
import { SystemPicker } from '../../components/SystemPicker';
import { Empty, ErrorState, Loading } from '../../components/states';
import { Time } from '../../components/Time';
import { type GapsSearch, gapsRoute } from '../../routes/frameworks.routes';
import { fixPageOf, splitControlId } from './model';
import { frameworksQuery, type Gap, gapsQuery } from './queries';

const DEFAULT_FRAMEWORK = 'iso42001';

function FixLink({ act }: { act: string }) {
  const page = fixPageOf(act);
  if (!page) return <code>{act}</code>;
  return (
    <Anchor size="sm" renderRoot={(props) => <Link {...props} to={page.to} params={page.params} search={page.search} />}>
      {page.label}
    </Anchor>
  );
}

function GapTable({ gaps, by, label }: { gaps: Gap[]; by: 'system' | 'control'; label: string }) {
  return (
    <Table withTableBorder striped fz="sm" aria-label={label}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{by === 'system' ? 'Control' : 'AI system'}</Table.Th>
          <Table.Th>What is missing</Table.Th>
          <Table.Th>Who owns fixing it</Table.Th>
          <Table.Th>Act</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {gaps.map((gap) => (
          <Table.Tr key={`${gap.controlId}-${gap.systemId}-${gap.condition}`}>
            <Table.Td>
              {by === 'system' ? (
                <AnchorLink to="/frameworks/$framework/controls/$control" params={splitControlId(gap.controlId)} size="sm">
                  {gap.controlId}
                </AnchorLink>
              ) : (
                <AnchorLink to="/systems/$systemId" params={{ systemId: gap.systemId }} size="sm">
                  {gap.systemName}
                </AnchorLink>
              )}
            </Table.Td>
            <Table.Td>
              {gap.reason || gap.condition}
              <Text size="xs" c="dimmed">
                {gap.condition.replace(/_/g, ' ')}
                {gap.via.length > 0 && ` · through ${gap.via.join(', ')}`}
              </Text>
            </Table.Td>
            <Table.Td>
              {gap.ownerId ? (
                (gap.ownerName ?? gap.ownerId)
              ) : (
                <Text size="sm" c="dimmed" span>
                  no accountable owner
                </Text>
              )}
            </Table.Td>
            <Table.Td>
              <FixLink act={gap.act} />
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** Gaps grouped by system or by control, groups in the order of their first gap. */
function groupGaps(gaps: Gap[], by: 'system' | 'control') {
  const groups = new Map<string, { title: string; gaps: Gap[]; systemId?: string }>();
  for (const gap of gaps) {
    const key = by === 'system' ? gap.systemId : gap.controlId;
    const group = groups.get(key) ?? { title: by === 'system' ? gap.systemName : gap.controlId, gaps: [], systemId: gap.systemId };
    group.gaps.push(gap);
    groups.set(key, group);
  }
  return [...groups.entries()];
}

export function GapsPage() {
  const search = gapsRoute.useSearch();
  const navigate = useNavigate({ from: '/frameworks/gaps' });
  const setSearch = (change: Partial<GapsSearch>) =>
    navigate({ search: (prev: GapsSearch) => Object.fromEntries(Object.entries({ ...prev, ...change }).filter(([, v]) => v)) });
  const framework = search.framework ?? DEFAULT_FRAMEWORK;
  const by = search.group ?? 'system';
  const frameworks = useQuery(frameworksQuery);
  // Other frameworks' gaps come from the server through the crosswalk, each naming the ISO/IEC 42001
  // controls it comes through (`via`).
  const direct = useQuery(gapsQuery(framework, search.system));
  const error = direct.error;
  const items: Gap[] | undefined = direct.data?.items;
  const title = frameworks.data?.items.find((f) => f.id === framework)?.short ?? framework;
  return (
    <>
      <PageHeader title="Gap list" description="Every evidence condition that fails, who owns fixing it, and where to act." />
      <Paper withBorder p="sm" mb="md">
        <Group align="flex-end">
          <Select
            label="Framework"
            w={220}
            allowDeselect={false}
            data={(frameworks.data?.items ?? []).map((f) => ({ value: f.id, label: f.short }))}
            value={framework}
            onChange={(v) => setSearch({ framework: v && v !== DEFAULT_FRAMEWORK ? v : undefined })}
          />
          <SystemPicker label="AI system" w={260} value={search.system ?? null} onChange={(v) => setSearch({ system: v ?? undefined })} />
          <Stack gap={4}>
            <Text size="sm" fw={500} id="gap-grouping">
              Group by
            </Text>
            <SegmentedControl
              aria-labelledby="gap-grouping"
              value={by}
              onChange={(v) => setSearch({ group: v === 'control' ? 'control' : undefined })}
              data={[
                { value: 'system', label: 'AI system' },
                { value: 'control', label: 'Control' },
              ]}
            />
          </Stack>
        </Group>
      </Paper>
      {error ? (
        <ErrorState error={error} title="The gaps could not be evaluated" />
      ) : !items || !direct.data ? (
        <Loading label="Evaluating the gaps…" />
      ) : items.length === 0 ? (
        <Empty title={`No gap in ${title}`}>Every evidence condition the records can show holds.</Empty>
      ) : (
        <Stack gap="lg">
          <Text size="sm" c="dimmed" role="status">
            {items.length} gaps in {title}, evaluated <Time value={direct.data.evaluatedAt} />
          </Text>
          {groupGaps(items, by).map(([key, group]) => (
            <section key={key} aria-labelledby={`gaps-${key}`}>
              <Title order={2} size="h4" mb="xs" id={`gaps-${key}`}>
                {by === 'system' ? (
                  <AnchorLink to="/systems/$systemId" params={{ systemId: key }}>
                    {group.title}
                  </AnchorLink>
                ) : (
                  <AnchorLink to="/frameworks/$framework/controls/$control" params={splitControlId(key)}>
                    {group.title}
                  </AnchorLink>
                )}
              </Title>
              <GapTable gaps={group.gaps} by={by} label={`Gaps of ${group.title}`} />
            </section>
          ))}
        </Stack>
      )}
    </>
  );
}
