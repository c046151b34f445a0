// Fairness per group over the chosen window: a table with each group's counts and rates (a rate
// the API does not estimate reads as its reason, never 0), a bar chart, and the summary gaps, each
// with its convention stated.
import { Badge, Button, Card, Group, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense, useState } from 'react';
import { api, unwrap } from '../../api/client';
import { Empty, ErrorState, Loading } from '../../components/states';
import { estimateText, type Fairness, groupLabel } from './model';

const FairnessChart = lazy(() => import('./FairnessChart'));

const GAPS: Array<{
  key: keyof Pick<
    Fairness,
    | 'demographicParityDifference'
    | 'demographicParityRatio'
    | 'equalizedOddsDifference'
    | 'equalizedOddsRatio'
    | 'equalOpportunityDifference'
  >;
  label: string;
  definition: string;
}> = [
  { key: 'demographicParityDifference', label: 'Demographic parity difference', definition: 'max − min of the groups’ selection rates' },
  { key: 'demographicParityRatio', label: 'Demographic parity ratio', definition: 'min / max of the groups’ selection rates' },
  {
    key: 'equalizedOddsDifference',
    label: 'Equalized odds difference',
    definition: 'the larger of the TPR and the FPR differences (worst case)',
  },
  { key: 'equalizedOddsRatio', label: 'Equalized odds ratio', definition: 'the smaller of the TPR and the FPR ratios' },
  { key: 'equalOpportunityDifference', label: 'Equal opportunity difference', definition: 'max − min of the groups’ TPR (unsigned)' },
];
const ATTRIBUTES = /^[a-z][a-z0-9_]{0,49}(,[a-z][a-z0-9_]{0,49}){0,2}$/;

export function FairnessPanel({
  systemId,
  window,
  groupBy,
  onGroupBy,
}: {
  systemId: string;
  window: { from: string; to: string; label: string };
  groupBy: string | undefined;
  onGroupBy: (groupBy: string | undefined) => void;
}) {
  const [draft, setDraft] = useState(groupBy ?? '');
  const draftOk = ATTRIBUTES.test(draft.replaceAll(' ', '').toLowerCase());
  const fairness = useQuery({
    queryKey: ['fairness', systemId, groupBy, window.from, window.to],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/systems/{id}/monitoring/fairness', {
          params: { path: { id: systemId }, query: { groupBy: groupBy ?? '', from: window.from, to: window.to } },
        }),
      ),
    enabled: Boolean(groupBy),
  });
  return (
    <Stack>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (draftOk) onGroupBy(draft.replaceAll(' ', '').toLowerCase());
        }}
      >
        <Group align="flex-end">
          <TextInput
            label="Group attributes"
            description="as the outcomes carry them, comma-separated for intersections (at most 3), e.g. sex or sex,age_band"
            w={420}
            value={draft}
            onChange={(e) => setDraft(e.currentTarget.value)}
            error={draft && !draftOk ? 'Attribute names: lower-case letters, digits and _, separated by commas' : undefined}
          />
          <Button type="submit" disabled={!draftOk}>
            Compare the groups
          </Button>
        </Group>
      </form>
      {!groupBy ? (
        <Empty title="Name the group attributes to compare">Fairness compares the groups of one attribute or of an intersection.</Empty>
      ) : fairness.isError ? (
        <ErrorState error={fairness.error} title="The fairness report could not be loaded" />
      ) : !fairness.data ? (
        <Loading label="Computing fairness…" />
      ) : fairness.data.groups.length === 0 ? (
        <Empty title={`No outcomes with ${groupBy} in this window`}>
          Outcomes and their group attributes arrive through POST /api/v1/outcomes/batch.
        </Empty>
      ) : (
        <FairnessReport fairness={fairness.data} windowLabel={window.label} />
      )}
    </Stack>
  );
}

function FairnessReport({ fairness, windowLabel }: { fairness: Fairness; windowLabel: string }) {
  const estimated = fairness.groups.filter((g) => g.selectionRate.value !== null).length;
  // Every group's ratio names the same reference group (the highest selection rate).
  const reference = fairness.groups[0]?.impactRatio.referenceGroup ?? null;
  return (
    <>
      <Text size="sm" c="dimmed">
        {windowLabel}: {fairness.overall.n} decisions with an outcome; a rate needs at least {fairness.minCount} in its denominator. Impact
        ratio is each group’s selection rate against the highest-rate group{reference && ` (here ${groupLabel(reference)})`}; below 4/5 is
        adverse impact (the four-fifths rule, 29 CFR 1607.4(D)).
      </Text>
      <Table withTableBorder striped aria-label="Fairness per group" fz="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Group</Table.Th>
            <Table.Th>n</Table.Th>
            <Table.Th>TP / FP / TN / FN</Table.Th>
            <Table.Th>Selection rate</Table.Th>
            <Table.Th>TPR</Table.Th>
            <Table.Th>FPR</Table.Th>
            <Table.Th>FNR</Table.Th>
            <Table.Th>Impact ratio</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {fairness.groups.map((g) => (
            <Table.Tr key={groupLabel(g.attributes)}>
              <Table.Td>{groupLabel(g.attributes)}</Table.Td>
              <Table.Td>{g.n}</Table.Td>
              <Table.Td>
                {g.counts.tp} / {g.counts.fp} / {g.counts.tn} / {g.counts.fn}
              </Table.Td>
              <Table.Td>{estimateText(g.selectionRate)}</Table.Td>
              <Table.Td>{estimateText(g.tpr)}</Table.Td>
              <Table.Td>{estimateText(g.fpr)}</Table.Td>
              <Table.Td>{estimateText(g.fnr)}</Table.Td>
              <Table.Td>
                <Group gap={4} wrap="nowrap">
                  {estimateText(g.impactRatio)}
                  {g.adverseImpact === true && (
                    <Badge color="red" variant="light">
                      below 4/5
                    </Badge>
                  )}
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {estimated > 0 && (
        <div role="img" aria-label="Selection rate and TPR per group as bars; the table above holds the same numbers">
          <Suspense fallback={<Loading label="Drawing the chart…" />}>
            <FairnessChart fairness={fairness} />
          </Suspense>
        </div>
      )}
      <Title order={2} size="h4">
        Gaps between groups
      </Title>
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
        {GAPS.map(({ key, label, definition }) => {
          const gap = fairness[key];
          return (
            <Card withBorder key={key} padding="sm">
              <Text size="sm" fw={600}>
                {label}
              </Text>
              <Text size="lg" fw={700}>
                {estimateText(gap)}
              </Text>
              <Text size="xs">
                {definition}; convention: {gap.convention.replaceAll('_', ' ')}; {gap.groupsCompared} groups compared
              </Text>
            </Card>
          );
        })}
      </SimpleGrid>
    </>
  );
}
