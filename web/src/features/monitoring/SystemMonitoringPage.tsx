// A system's monitoring: its monitors with each metric charted against its thresholds, fairness per
// group, and drift of its decision score or a declared feature, all over one window chosen in the
// URL. Fairness and drift are offered to those who may read the reports (the server refuses the rest anyway).
import { Anchor, Button, Group, Select, Tabs } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { useMemo } from 'react';
import { holds, useSession } from '../../api/session';
import { PageHeader } from '../../components/PageHeader';
import { ErrorState, Loading } from '../../components/states';
import { type SystemMonitoringSearch, systemMonitoringRoute, WINDOWS } from '../../routes/monitoring.routes';
import { systemQuery } from '../systems/queries';
import { DriftPanel } from './DriftPanel';
import { FairnessPanel } from './FairnessPanel';
import { MonitorsPanel } from './MonitorsPanel';
import { DEFAULT_WINDOW, WINDOW_LABEL, windowOf } from './model';

/** Who may read the performance, fairness and drift reports (the server's REPORT_READERS). */
const REPORT_READERS = ['governance_lead', 'auditor', 'system_owner'] as const;

export function SystemMonitoringPage() {
  const session = useSession();
  const { systemId } = systemMonitoringRoute.useParams();
  const search = systemMonitoringRoute.useSearch();
  const navigate = useNavigate({ from: '/systems/$systemId/monitoring' });
  const system = useQuery(systemQuery(systemId));
  const windowKey = search.window ?? DEFAULT_WINDOW;
  // Fixed for the page's life (and per window), so the queries' keys hold still.
  const window = useMemo(() => ({ ...windowOf(windowKey), label: WINDOW_LABEL[windowKey] }), [windowKey]);
  const mayReadReports = holds(session, REPORT_READERS, systemId);
  const tab = search.tab && (search.tab === 'monitors' || mayReadReports) ? search.tab : 'monitors';
  const setSearch = (change: Partial<SystemMonitoringSearch>) =>
    navigate({ search: (prev: SystemMonitoringSearch) => ({ ...prev, ...change }) });
  if (system.isError) {
    return (
      <>
        <PageHeader title="Monitoring" />
        <ErrorState error={system.error} title="This system could not be loaded" />
      </>
    );
  }
  if (!system.data) return <Loading label="Loading the system…" />;
  return (
    <>
      <PageHeader
        title={`Monitoring: ${system.data.name}`}
        description={
          <>
            Monitors and their metrics, fairness per group, and drift of the decision score and declared features.{' '}
            <Anchor size="sm" underline="always" renderRoot={(props) => <Link {...props} to="/systems/$systemId" params={{ systemId }} />}>
              Back to the system
            </Anchor>
          </>
        }
        actions={
          <Button variant="default" renderRoot={(props) => <Link {...props} to="/monitoring/alerts" search={{ system: systemId }} />}>
            This system's alerts
          </Button>
        }
      />
      <Group mb="md">
        <Select
          label="Window"
          w={200}
          allowDeselect={false}
          data={WINDOWS.map((w) => ({ value: w, label: WINDOW_LABEL[w] }))}
          value={windowKey}
          onChange={(v) => setSearch({ window: (v ?? undefined) as SystemMonitoringSearch['window'] })}
        />
      </Group>
      <Tabs
        value={tab}
        onChange={(value) => setSearch({ tab: value === 'monitors' ? undefined : (value as SystemMonitoringSearch['tab']) })}
        keepMounted={false}
      >
        <Tabs.List mb="md">
          <Tabs.Tab value="monitors">Monitors and metrics</Tabs.Tab>
          {mayReadReports && <Tabs.Tab value="fairness">Fairness</Tabs.Tab>}
          {mayReadReports && <Tabs.Tab value="drift">Drift</Tabs.Tab>}
        </Tabs.List>
        <Tabs.Panel value="monitors">
          <MonitorsPanel systemId={systemId} window={window} />
        </Tabs.Panel>
        {mayReadReports && (
          <Tabs.Panel value="fairness">
            <FairnessPanel systemId={systemId} window={window} groupBy={search.groupBy} onGroupBy={(groupBy) => setSearch({ groupBy })} />
          </Tabs.Panel>
        )}
        {mayReadReports && (
          <Tabs.Panel value="drift">
            <DriftPanel
              systemId={systemId}
              window={window}
              against={search.against ?? 'previous'}
              baseline={search.baseline}
              feature={search.feature ?? 'score'}
              onReference={(change) => setSearch({ ...change, ...(change.against === 'previous' ? { baseline: undefined } : {}) })}
              onFeature={(feature) =>
                setSearch({ feature: feature === 'score' ? undefined : feature, against: undefined, baseline: undefined })
              }
            />
          </Tabs.Panel>
        )}
      </Tabs>
    </>
  );
}
