// Drift of the decision score or a feature the system declares: the current window against the
// window before it or a frozen baseline. A numeric feature: PSI, the Kolmogorov-Smirnov statistic and
// p-value, the Jensen-Shannon distance; a categorical one: chi-square and its p-value, PSI, the
// Jensen-Shannon distance and each category's counts. A statistic without an estimate reads as its reason.
import { Button, Group, SegmentedControl, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { holds, useSession } from '../../api/session';
import { Empty, ErrorState, Loading } from '../../components/states';
import type { DRIFT_REFERENCES } from '../../routes/monitoring.routes';
import { MONITOR_EDITORS } from './MonitorsPanel';
import { type Drift, estimateText, psiReading, pValueText } from './model';

type Against = (typeof DRIFT_REFERENCES)[number];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function DriftPanel({
  systemId,
  window,
  against,
  baseline,
  feature,
  onReference,
  onFeature,
}: {
  systemId: string;
  window: { from: string; to: string; label: string; previous: { from: string; to: string } };
  against: Against;
  baseline: string | undefined;
  feature: string;
  onReference: (change: { against?: Against; baseline?: string }) => void;
  onFeature: (feature: string) => void;
}) {
  const session = useSession();
  const mayFreeze = holds(session, MONITOR_EDITORS, systemId);
  const [draft, setDraft] = useState(baseline ?? '');
  const reference =
    against === 'baseline'
      ? baseline
        ? { baselineId: baseline }
        : null
      : { referenceFrom: window.previous.from, referenceTo: window.previous.to };
  const declared = useQuery({
    queryKey: ['features', systemId],
    queryFn: () => unwrap(api.GET('/api/v1/systems/{id}/features', { params: { path: { id: systemId } } })),
  });
  const features = [
    { value: 'score', label: 'decision score (numeric)' },
    ...(declared.data?.features ?? []).map((f) => ({ value: f.name, label: `${f.name} (${f.kind})` })),
  ];
  const what = feature === 'score' ? 'the decision score' : feature;
  const values = feature === 'score' ? 'scores' : 'values';
  const drift = useQuery({
    queryKey: ['drift', systemId, feature, window.from, window.to, reference],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/systems/{id}/monitoring/drift', {
          params: { path: { id: systemId }, query: { feature, from: window.from, to: window.to, ...reference } },
        }),
      ),
    enabled: reference !== null,
  });
  const freeze = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/v1/systems/{id}/monitoring/baselines', {
          params: { path: { id: systemId } },
          body: { feature, from: window.previous.from, to: window.previous.to },
        }),
      ),
    onSuccess: (b) => {
      notifications.show({ color: 'green', message: 'The previous window is frozen as a baseline' });
      setDraft(b.id);
      onReference({ against: 'baseline', baseline: b.id });
    },
  });
  return (
    <Stack>
      <Select
        label="Feature"
        w={340}
        data={features}
        value={feature}
        allowDeselect={false}
        onChange={(v) => v && onFeature(v)}
        description="the decision score, or a feature the system declares on its decision records"
      />
      {declared.isError ? <ErrorState error={declared.error} title="The declared features could not be loaded" /> : null}
      <Group align="flex-end">
        <Stack gap={4}>
          <Text size="sm" fw={500} id="drift-reference">
            Compare against
          </Text>
          <SegmentedControl
            aria-labelledby="drift-reference"
            value={against}
            onChange={(v) => onReference({ against: v as Against })}
            data={[
              { value: 'previous', label: 'The window before' },
              { value: 'baseline', label: 'A frozen baseline' },
            ]}
          />
        </Stack>
        {against === 'baseline' && (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              if (UUID.test(draft.trim())) onReference({ baseline: draft.trim() });
            }}
          >
            <Group align="flex-end">
              <TextInput label="Baseline id" w={340} value={draft} onChange={(e) => setDraft(e.currentTarget.value)} />
              <Button type="submit" variant="default" disabled={!UUID.test(draft.trim())}>
                Use it
              </Button>
            </Group>
          </form>
        )}
        {mayFreeze && (
          <Button variant="light" onClick={() => freeze.mutate()} loading={freeze.isPending}>
            Freeze the window before as a baseline
          </Button>
        )}
      </Group>
      {freeze.error ? <ErrorState error={freeze.error} title="The baseline was not frozen" /> : null}
      {reference === null ? (
        <Empty title="Choose a baseline">Give a baseline's id, or freeze one.</Empty>
      ) : drift.isError ? (
        <ErrorState error={drift.error} title="The drift report could not be loaded" />
      ) : !drift.data ? (
        <Loading label="Computing drift…" />
      ) : (
        <>
          <Text size="sm" c="dimmed">
            {window.label} ({drift.data.n.current} {values}) against{' '}
            {drift.data.baselineId ? `baseline ${drift.data.baselineId}` : 'the window of the same length before it'} (
            {drift.data.n.reference} {values}).
          </Text>
          {drift.data.kind === 'categorical' ? (
            <CategoricalDrift drift={drift.data} what={what} />
          ) : (
            <NumericDrift drift={drift.data} what={what} />
          )}
        </>
      )}
    </Stack>
  );
}

function PsiRow({ drift }: { drift: Drift }) {
  return (
    <Table.Tr>
      <Table.Td>PSI (population stability index)</Table.Td>
      <Table.Td>{estimateText(drift.psi)}</Table.Td>
      <Table.Td>{psiReading(drift.psi.value) ?? '—'} (below 0.1 stable, 0.1–0.25 shifting, above 0.25 shifted)</Table.Td>
    </Table.Tr>
  );
}

function JensenShannonRow({ drift }: { drift: Drift }) {
  return (
    <Table.Tr>
      <Table.Td>Jensen–Shannon distance</Table.Td>
      <Table.Td>{estimateText(drift.jensenShannon)}</Table.Td>
      <Table.Td>base 2: 0 the same, 1 disjoint</Table.Td>
    </Table.Tr>
  );
}

const StatisticHead = () => (
  <Table.Thead>
    <Table.Tr>
      <Table.Th>Statistic</Table.Th>
      <Table.Th>Value</Table.Th>
      <Table.Th>Reading</Table.Th>
    </Table.Tr>
  </Table.Thead>
);

function NumericDrift({ drift, what }: { drift: Drift; what: string }) {
  return (
    <Table withTableBorder striped aria-label={`Drift of ${what}`} fz="sm">
      <StatisticHead />
      <Table.Tbody>
        <PsiRow drift={drift} />
        <Table.Tr>
          <Table.Td>Kolmogorov–Smirnov statistic</Table.Td>
          <Table.Td>{drift.ks ? estimateText(drift.ks.statistic) : '—'}</Table.Td>
          <Table.Td>largest gap between the two distributions, from {drift.ks?.from ?? '—'}</Table.Td>
        </Table.Tr>
        <Table.Tr>
          <Table.Td>Kolmogorov–Smirnov p-value</Table.Td>
          <Table.Td>{drift.ks ? pValueText(drift.ks.pValue) : '—'}</Table.Td>
          <Table.Td>two-sided{drift.ks?.method ? `, ${drift.ks.method}` : ''}; small means the values have moved</Table.Td>
        </Table.Tr>
        <JensenShannonRow drift={drift} />
        <Table.Tr>
          <Table.Td>Chi-square</Table.Td>
          <Table.Td>n/a: not a categorical feature</Table.Td>
          <Table.Td>applies to categorical features only</Table.Td>
        </Table.Tr>
      </Table.Tbody>
    </Table>
  );
}

function CategoricalDrift({ drift, what }: { drift: Drift; what: string }) {
  return (
    <>
      <Table withTableBorder striped aria-label={`Drift of ${what}`} fz="sm">
        <StatisticHead />
        <Table.Tbody>
          <Table.Tr>
            <Table.Td>Chi-square statistic</Table.Td>
            <Table.Td>{drift.chiSquare ? estimateText(drift.chiSquare.statistic) : '—'}</Table.Td>
            <Table.Td>
              test of homogeneity, {drift.chiSquare?.degreesOfFreedom ?? 0} degree{drift.chiSquare?.degreesOfFreedom === 1 ? '' : 's'} of
              freedom
            </Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Td>Chi-square p-value</Table.Td>
            <Table.Td>{drift.chiSquare ? pValueText(drift.chiSquare.pValue) : '—'}</Table.Td>
            <Table.Td>small means the mix of categories has moved</Table.Td>
          </Table.Tr>
          <PsiRow drift={drift} />
          <JensenShannonRow drift={drift} />
          <Table.Tr>
            <Table.Td>Kolmogorov–Smirnov</Table.Td>
            <Table.Td>n/a: not a numeric feature</Table.Td>
            <Table.Td>applies to numeric features only</Table.Td>
          </Table.Tr>
        </Table.Tbody>
      </Table>
      <Table withTableBorder striped aria-label={`Categories of ${what}`} fz="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Category</Table.Th>
            <Table.Th>Reference</Table.Th>
            <Table.Th>Current</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(drift.categories ?? []).map((c) => (
            <Table.Tr key={c.category}>
              <Table.Td>{c.category}</Table.Td>
              <Table.Td>{c.reference}</Table.Td>
              <Table.Td>{c.current}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </>
  );
}
