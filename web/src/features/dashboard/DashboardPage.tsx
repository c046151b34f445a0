// The dashboard: the key figures of AI governance in one request (GET /api/v1/dashboard), each
// number a link to the filtered list behind it, and weekly trends as a chart.
import { Anchor, Badge, Card, Group, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { lazy, type ReactNode, Suspense } from 'react';
import { api, unwrap } from '../../api/client';
import type { Answer } from '../../api/types';
import { PageHeader } from '../../components/PageHeader';
import { ErrorState, Loading } from '../../components/states';
import { Time } from '../../components/Time';
import { hrefOf, type ListLink, pageOf } from './links';

const TrendsChart = lazy(() => import('./TrendsChart'));

type Dashboard = Answer<'loadDashboard'>;
interface Figure {
  count: number;
  list: ListLink | null;
}

const percent = (share: number | null | undefined) => (share == null ? '—' : `${Math.round(share * 100)} %`);
const hours = (h: number | null | undefined) => (h == null ? '—' : h < 48 ? `${h.toFixed(1)} h` : `${(h / 24).toFixed(1)} days`);
const words = (text: string) => text.replaceAll('_', ' ');
/** The oversight events the dashboard counts, as the oversight console names the actions. */
const OVERSIGHT_ACTIONS: Record<string, string> = {
  'oversight.paused': 'Paused',
  'oversight.restricted': 'Restricted',
  'oversight.resume_requested': 'Resume requested',
  'oversight.resumed': 'Resumed',
};

/** A number that links to its list (when a page shows that list). */
function Count({ figure, label }: { figure: Figure; label: string }) {
  const page = pageOf(figure.list);
  const text = figure.count.toLocaleString();
  if (!page) return <span>{text}</span>;
  return (
    <Anchor href={hrefOf(page)} aria-label={`${text} ${label}: show them`} fw={700}>
      {text}
    </Anchor>
  );
}

function Tile({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Card withBorder padding="md">
      <Title order={2} size="h5" mb="xs">
        {title}
      </Title>
      <Stack gap={6}>{children}</Stack>
    </Card>
  );
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Group justify="space-between" wrap="nowrap" gap="xs">
      <Text size="sm">{label}</Text>
      <Text size="sm" fw={700} component="div">
        {children}
      </Text>
    </Group>
  );
}

function Breakdown({ items, by, label }: { items: Array<Figure & Record<string, unknown>>; by: string; label: string }) {
  if (items.length === 0) return <Text size="sm">None</Text>;
  return (
    <>
      {items.map((item) => (
        <Row key={String(item[by])} label={words(String(item[by]))}>
          <Count figure={item} label={`${label} ${words(String(item[by]))}`} />
        </Row>
      ))}
    </>
  );
}

function Figures({ d }: { d: Dashboard }) {
  return (
    <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
      <Tile title="AI systems">
        <Row label="All systems">
          <Count figure={d.systems.total} label="AI systems" />
        </Row>
        <Breakdown items={d.systems.byRiskTier} by="euRiskTier" label="systems of risk tier" />
        <Row label="Shadow AI awaiting triage">
          <Count figure={d.systems.untriagedShadow} label="shadow AI systems awaiting triage" />
        </Row>
      </Tile>
      <Tile title="By lifecycle status">
        <Breakdown items={d.systems.byStatus} by="status" label="systems with status" />
      </Tile>
      <Tile title="Accountability">
        <Row label="Systems with an accountable owner">{percent(d.systems.ownerCoverage)}</Row>
        <Row label="Without an owner">
          <Count figure={d.systems.withoutOwner} label="systems without an owner" />
        </Row>
        <Row label="Systems with phase owners">{percent(d.systems.phaseOwnerCoverage)}</Row>
        <Row label="Without any phase owner">
          <Count figure={d.systems.withoutPhaseOwner} label="systems without a phase owner" />
        </Row>
      </Tile>
      <Tile title="Approvals">
        <Row label="Pending">
          <Count figure={d.approvals.pending} label="pending approvals" />
        </Row>
        <Row label="Emergency changes overdue">
          <Count figure={d.approvals.overdue} label="overdue retrospective approvals" />
        </Row>
        <Row label={`Median time to decide (${d.windowDays} days)`}>{hours(d.approvals.medianHoursToDecide)}</Row>
      </Tile>
      <Tile title="Exceptions">
        <Row label="Open">
          <Count figure={d.exceptions.open} label="open exceptions" />
        </Row>
        <Row label="Overdue">
          <Count figure={d.exceptions.overdue} label="overdue exceptions" />
        </Row>
        <Breakdown items={d.exceptions.bySeverity} by="severity" label="open exceptions of severity" />
        <Row label={`Mean time to close (${d.windowDays} days)`}>{hours(d.exceptions.meanHoursToClose)}</Row>
        {d.exceptions.recurringRootCauses.length > 0 && (
          <Text size="sm">
            Recurring root causes:{' '}
            {d.exceptions.recurringRootCauses
              .map((r) => `${r.systemName} (${words(r.category ?? 'uncategorised')} ×${r.count})`)
              .join(', ')}
          </Text>
        )}
      </Tile>
      <Tile title="Incidents">
        <Row label="Open">
          <Count figure={d.incidents.open} label="open incidents" />
        </Row>
        <Row label="Reporting deadline passed">
          <Count figure={d.incidents.overdueDeadlines} label="incidents past a reporting deadline" />
        </Row>
        {d.incidents.nextDeadlines.slice(0, 5).map((n) => (
          <Group key={`${n.exceptionId}-${n.deadlineKey}`} justify="space-between" wrap="nowrap">
            <Anchor href={`/incidents/${n.exceptionId}`} size="sm" lineClamp={1}>
              {n.title}: {n.deadlineTitle}
            </Anchor>
            <Badge color={n.overdue ? 'red' : 'yellow'} variant="light">
              <Time value={n.dueAt} plain />
            </Badge>
          </Group>
        ))}
      </Tile>
      <Tile title="Monitoring">
        <Row label="Firing alerts">
          <Count figure={d.alerts.firing} label="firing alerts" />
        </Row>
      </Tile>
      <Tile title="Human oversight">
        <Row label="Paused now">
          <Count figure={d.oversight.paused} label="paused systems" />
        </Row>
        <Row label="Restricted now">
          <Count figure={d.oversight.restricted} label="restricted systems" />
        </Row>
        {d.oversight.pausedOrRestrictedNow.slice(0, 5).map((s) => (
          <Anchor key={s.systemId} href={`/systems/${s.systemId}`} size="sm">
            {s.name} ({s.state})
          </Anchor>
        ))}
        <Text size="sm" fw={500} mt={4}>
          Oversight actions, last 30 days
        </Text>
        {d.oversight.actionsLast30Days.map((a) => (
          <Row key={a.type} label={OVERSIGHT_ACTIONS[a.type] ?? words(a.type)}>
            <Count figure={a} label={`${(OVERSIGHT_ACTIONS[a.type] ?? words(a.type)).toLowerCase()}, last 30 days`} />
          </Row>
        ))}
      </Tile>
      <Tile title="Decisions">
        <Row label="Awaiting human review">
          <Count figure={d.decisions.awaitingReview} label="decisions awaiting review" />
        </Row>
        <Row label="Reviewed">
          <Count figure={d.decisions.reviewed} label="reviewed decisions" />
        </Row>
        <Row label="Share reviewed">{percent(d.decisions.shareReviewed)}</Row>
      </Tile>
      <Tile title="Appeals">
        <Row label="Open">
          <Count figure={d.appeals.open} label="open appeals" />
        </Row>
        <Row label="Overdue">
          <Count figure={d.appeals.overdue} label="overdue appeals" />
        </Row>
        <Row label="Median days to resolve">{d.appeals.medianDaysToResolve == null ? '—' : d.appeals.medianDaysToResolve.toFixed(1)}</Row>
      </Tile>
      <Tile title="Reviews">
        <Row label="Open">
          <Count figure={d.reviews.open} label="open reviews" />
        </Row>
        <Row label="Overdue">
          <Count figure={d.reviews.overdue} label="overdue reviews" />
        </Row>
        <Row label="Systems with an overdue review">
          <Count figure={d.reviews.systemsWithOverdueReview} label="systems with an overdue review" />
        </Row>
      </Tile>
      <Tile title="Ledger">
        <Row label="Events">
          <Count figure={d.ledger.size} label="ledger events" />
        </Row>
        <Row label="Last signed checkpoint">
          {d.ledger.lastCheckpoint ? (
            <span>
              {d.ledger.lastCheckpoint.treeSize.toLocaleString()} at <Time value={d.ledger.lastCheckpoint.createdAt} />
            </span>
          ) : (
            'none yet'
          )}
        </Row>
        <Row label="Last verification">
          {d.ledger.lastVerification ? (
            <Badge color={d.ledger.lastVerification.ok ? 'green' : 'red'} variant="light">
              {d.ledger.lastVerification.ok ? 'verified' : 'FAILED'} <Time value={d.ledger.lastVerification.verifiedAt} plain />
            </Badge>
          ) : (
            'never'
          )}
        </Row>
      </Tile>
    </SimpleGrid>
  );
}

function TrendsTable({ trends }: { trends: Dashboard['trends'] }) {
  return (
    // Scrolls sideways on a narrow window: the scrolling region is reachable from the keyboard.
    <Table.ScrollContainer
      minWidth={500}
      scrollAreaProps={{ viewportProps: { tabIndex: 0, role: 'region', 'aria-label': 'Weekly counts, scrollable' } }}
    >
      <Table>
        <Table.Caption>Weekly counts (the chart above, as numbers)</Table.Caption>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Series</Table.Th>
            {trends.weeks.map((w) => (
              <Table.Th key={w}>{w.slice(5, 10)}</Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {trends.series.map((s) => (
            <Table.Tr key={s.name}>
              <Table.Th scope="row">{s.name}</Table.Th>
              {s.counts.map((c, i) => (
                <Table.Td key={trends.weeks[i]}>{c}</Table.Td>
              ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

export function DashboardPage() {
  const dashboard = useQuery({
    queryKey: ['dashboard'],
    queryFn: () => unwrap(api.GET('/api/v1/dashboard')),
    refetchInterval: 60_000,
  });
  return (
    <>
      <PageHeader
        title="Dashboard"
        description={
          dashboard.data ? (
            <>
              Figures as of <Time value={dashboard.data.generatedAt} />; every number links to the records behind it.
            </>
          ) : (
            'Key figures of AI governance, each linked to the records behind it.'
          )
        }
      />
      {dashboard.isPending && <Loading label="Counting…" />}
      {dashboard.isError && <ErrorState error={dashboard.error} title="The dashboard could not be loaded" />}
      {dashboard.data && (
        <Stack gap="md">
          <Figures d={dashboard.data} />
          <Card withBorder padding="md">
            <Title order={2} size="h5" mb="xs">
              Trends, week by week
            </Title>
            <Suspense fallback={<Loading label="Drawing the chart…" />}>
              <TrendsChart trends={dashboard.data.trends} />
            </Suspense>
            <TrendsTable trends={dashboard.data.trends} />
          </Card>
        </Stack>
      )}
    </>
  );
}
