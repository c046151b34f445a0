// Exceptions: a board by lifecycle state, one column per state, each column a server page of its
// own (the newest first, the count of all); filters in the URL; raising an exception.
import { Anchor, Badge, Button, Card, Checkbox, Group, Paper, Select, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { holds, useSession } from '../../api/session';
import type { Answer } from '../../api/types';
import { PageHeader } from '../../components/PageHeader';
import { SystemPicker } from '../../components/SystemPicker';
import { Empty, ErrorState, Loading } from '../../components/states';
import { type BoardSearch, EXCEPTION_KINDS, exceptionsRoute, SEVERITIES } from '../../routes/exceptions.routes';
import { humanize, options } from '../systems/labels';
import { Countdown } from './Countdown';
import { BOARD_COLUMNS, FINAL, SEVERITY_COLOR, STATUS_COLOR, type Status } from './lifecycle';
import { exceptionsQuery } from './queries';
import { RaiseDialog } from './RaiseDialog';

type ExceptionItem = Answer<'listExceptions'>['items'][number];

/** Who may raise an exception (the API's writers: everyone but auditors). */
export const RAISERS = ['admin', 'governance_lead', 'system_owner', 'contributor', 'reviewer', 'approver', 'operator'];
const COLUMN_SIZE = 20;

export function ExceptionsPage() {
  const session = useSession();
  const search = exceptionsRoute.useSearch();
  const navigate = useNavigate({ from: '/exceptions' });
  const [raising, setRaising] = useState(false);
  const setSearch = (change: Partial<BoardSearch>) => navigate({ search: (prev: BoardSearch) => ({ ...prev, ...change }) });
  return (
    <>
      <PageHeader
        title="Exceptions"
        description="Every override, deviation, emergency change, control failure and incident, by lifecycle state."
        actions={holds(session, RAISERS) && <Button onClick={() => setRaising(true)}>Raise an exception</Button>}
      />
      <Paper withBorder p="sm" mb="md">
        <Group align="flex-end" wrap="wrap">
          <Select
            label="Kind"
            clearable
            w={180}
            data={options(EXCEPTION_KINDS)}
            value={search.kind ?? null}
            onChange={(v) => setSearch({ kind: (v ?? undefined) as BoardSearch['kind'] })}
          />
          <Select
            label="Severity"
            clearable
            w={150}
            data={options(SEVERITIES)}
            value={search.severity ?? null}
            onChange={(v) => setSearch({ severity: (v ?? undefined) as BoardSearch['severity'] })}
          />
          <SystemPicker label="AI system" w={240} value={search.system ?? null} onChange={(v) => setSearch({ system: v ?? undefined })} />
          <Checkbox
            label="Overdue only"
            checked={search.overdue === true}
            onChange={(e) => setSearch({ overdue: e.currentTarget.checked ? true : undefined })}
          />
        </Group>
      </Paper>
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }} spacing="sm">
        {BOARD_COLUMNS.map((status) => (
          <Column key={status} status={status} search={search} />
        ))}
      </SimpleGrid>
      {raising && <RaiseDialog incident={false} onClose={() => setRaising(false)} />}
    </>
  );
}

function Column({ status, search }: { status: Status; search: BoardSearch }) {
  const list = useQuery(
    exceptionsQuery({
      status,
      kind: search.kind,
      severity: search.severity,
      systemId: search.system,
      overdue: search.overdue,
      limit: COLUMN_SIZE,
    }),
  );
  const headingId = `column-${status}`;
  return (
    <Paper withBorder p="sm" component="section" aria-labelledby={headingId} data-testid={`column-${status}`}>
      <Group justify="space-between" mb="xs">
        <Title order={2} size="h5" id={headingId}>
          {humanize(status)}
        </Title>
        {list.data && (
          <Badge variant="light" color={STATUS_COLOR[status]} aria-label={`${list.data.total} ${humanize(status).toLowerCase()}`}>
            {list.data.total}
          </Badge>
        )}
      </Group>
      {list.isError ? (
        <ErrorState error={list.error} title="Could not load this column" />
      ) : !list.data ? (
        <Loading label={`Loading ${status}…`} />
      ) : list.data.items.length === 0 ? (
        <Empty title="None" />
      ) : (
        <Stack gap="xs">
          {list.data.items.map((e) => (
            <ExceptionCard key={e.id} exception={e} />
          ))}
          {list.data.total > list.data.items.length && (
            <Text size="xs" c="dimmed">
              and {list.data.total - list.data.items.length} more: narrow the filters to see them
            </Text>
          )}
        </Stack>
      )}
    </Paper>
  );
}

function ExceptionCard({ exception: e }: { exception: ExceptionItem }) {
  return (
    <Card withBorder padding="xs">
      <Anchor
        renderRoot={(props) =>
          e.kind === 'incident' ? (
            <Link {...props} to="/incidents/$incidentId" params={{ incidentId: e.id }} />
          ) : (
            <Link {...props} to="/exceptions/$exceptionId" params={{ exceptionId: e.id }} />
          )
        }
        fw={600}
        size="sm"
      >
        {e.title}
      </Anchor>
      <Group gap={4} mt={4}>
        <Badge size="xs" variant="light" color={SEVERITY_COLOR[e.severity]}>
          {e.severity}
        </Badge>
        <Badge size="xs" variant="light" color="gray">
          {humanize(e.kind)}
        </Badge>
        {e.recurring && (
          <Badge size="xs" variant="light" color="red">
            recurring
          </Badge>
        )}
      </Group>
      <Text size="xs" c="dimmed" mt={4}>
        Owner: {e.ownerName ?? e.ownerId}
      </Text>
      {!FINAL.includes(e.status) && (
        <Text size="xs" component="div">
          Due <Countdown dueAt={e.dueAt} />
        </Text>
      )}
    </Card>
  );
}
