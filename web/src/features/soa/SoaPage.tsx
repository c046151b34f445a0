// The Statement of Applicability (ISO/IEC 42001 clause 6.1.3): every Annex A control, applicable or
// excluded, with its justification, the version that set it and who approved it. It changes only
// through an approved soa_change request: governance leads and admins propose one here, and the
// approval happens on the approvals pages. Past versions: ?version=N.
import { Alert, Badge, Button, Group, Select, Stack, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useNavigate, useSearch } from '@tanstack/react-router';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { holds, useSession } from '../../api/session';
import type { Answer } from '../../api/types';
import { AnchorLink } from '../../components/AnchorLink';
import { PageHeader } from '../../components/PageHeader';
import { Empty, ErrorState, Loading } from '../../components/states';
import { Time } from '../../components/Time';
import { soaRoute } from '../../routes/soa.routes';
import { ProposeSoaChangeDialog } from './ProposeSoaChangeDialog';

type Soa = Answer<'loadSoa'>;
type Entry = Soa['entries'][number];

/** Who may propose a change (the server checks it again: SOA-003). */
export const SOA_REQUESTER_ROLES = ['governance_lead', 'admin'] as const;

function ApprovedBy({ entry }: { entry: Entry }) {
  if (!entry.approved)
    return (
      <Text size="sm" c="dimmed">
        Not yet approved
      </Text>
    );
  return (
    <Stack gap={2}>
      <Text size="sm">{entry.approvedBy.map((s) => s.name).join(', ')}</Text>
      <Text size="xs" c="dimmed">
        <Time value={entry.approvedAt} />
      </Text>
    </Stack>
  );
}

export function SoaTable({ soa }: { soa: Soa }) {
  return (
    <Table.ScrollContainer minWidth={900}>
      <Table striped aria-label="Statement of Applicability" verticalSpacing="xs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Control</Table.Th>
            <Table.Th>Title</Table.Th>
            <Table.Th>Applicability</Table.Th>
            <Table.Th>Justification</Table.Th>
            <Table.Th>Version</Table.Th>
            <Table.Th>Approved by</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {soa.entries.map((e) => (
            <Table.Tr key={e.controlId}>
              <Table.Td>
                <Text size="sm" ff="monospace">
                  {e.controlId.replace(/^iso42001:/, '')}
                </Text>
              </Table.Td>
              <Table.Td>{e.title}</Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>
                <Badge variant="light" color={e.applicable ? 'green' : 'orange'} style={{ overflow: 'visible' }}>
                  {e.applicable ? 'Applicable' : 'Excluded'}
                </Badge>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{e.justification}</Text>
              </Table.Td>
              <Table.Td>{e.version}</Table.Td>
              <Table.Td>
                <ApprovedBy entry={e} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

export function SoaPage() {
  const session = useSession();
  const search = useSearch({ from: soaRoute.id });
  const navigate = useNavigate({ from: soaRoute.fullPath });
  const [proposing, setProposing] = useState(false);
  const canPropose = holds(session, SOA_REQUESTER_ROLES);

  const soa = useQuery({
    queryKey: ['soa', search.version ?? 'now'],
    queryFn: () =>
      search.version === undefined
        ? unwrap(api.GET('/api/v1/controls/soa'))
        : unwrap(api.GET('/api/v1/controls/soa/versions/{n}', { params: { path: { n: search.version } } })),
  });
  const versions = useQuery({
    queryKey: ['soa', 'versions'],
    queryFn: () => unwrap(api.GET('/api/v1/controls/soa/versions', { params: { query: { limit: 100 } } })),
  });
  // Only one SoA change is open at a time: show it instead of offering another.
  const open = useQuery({
    queryKey: ['approvals', 'requests', { kind: 'soa_change', status: 'pending' }],
    queryFn: () =>
      unwrap(api.GET('/api/v1/approvals/requests', { params: { query: { kind: 'soa_change', status: 'pending', limit: 1 } } })),
  });
  const pending = open.data?.items[0];

  const versionOptions = [
    { value: 'now', label: 'Current' },
    ...(versions.data?.items ?? []).map((v) => ({ value: String(v.version), label: `Version ${v.version}` })),
    { value: '0', label: 'Version 0 (default)' },
  ];

  return (
    <>
      <PageHeader
        title="Statement of Applicability"
        description="Every ISO/IEC 42001 Annex A control, applicable or excluded, with why. It changes only through an approved request."
        actions={
          canPropose && search.version === undefined ? (
            <Button onClick={() => setProposing(true)} disabled={pending !== undefined}>
              Propose a change
            </Button>
          ) : null
        }
      />
      <Stack>
        {pending && (
          <Alert color="yellow" title="A change waits for approval">
            <Text size="sm">
              <AnchorLink to="/approvals/$requestId" params={{ requestId: pending.id }}>
                {pending.title}
              </AnchorLink>{' '}
              applies when its approval chain completes.
            </Text>
          </Alert>
        )}
        <Group align="flex-end">
          <Select
            label="Version"
            data={versionOptions}
            value={search.version === undefined ? 'now' : String(search.version)}
            allowDeselect={false}
            onChange={(value) => navigate({ search: value && value !== 'now' ? { version: Number(value) } : {} })}
            w={220}
          />
          {versions.error ? <ErrorState error={versions.error} title="The versions could not be read" /> : null}
        </Group>
        {soa.isPending ? (
          <Loading label="Reading the Statement of Applicability…" />
        ) : soa.error ? (
          <ErrorState error={soa.error} title="The Statement of Applicability could not be read" />
        ) : soa.data.entries.length === 0 ? (
          <Empty title="No Annex A controls">The catalog lists none.</Empty>
        ) : (
          <>
            <Text size="sm" aria-label="Version shown">
              {soa.data.approved ? (
                <>
                  Version {soa.data.version}, approved by {soa.data.approvedBy.map((s) => s.name).join(', ')} on{' '}
                  <Time value={soa.data.approvedAt} />
                  {soa.data.approvalRequestId && (
                    <>
                      {' '}
                      (
                      <AnchorLink to="/approvals/$requestId" params={{ requestId: soa.data.approvalRequestId }}>
                        the request
                      </AnchorLink>
                      )
                    </>
                  )}
                </>
              ) : (
                `Version ${soa.data.version}: the default, not yet reviewed or approved.`
              )}
            </Text>
            <SoaTable soa={soa.data} />
          </>
        )}
      </Stack>
      {canPropose && soa.data && (
        <ProposeSoaChangeDialog
          opened={proposing}
          entries={soa.data.entries}
          onClose={() => setProposing(false)}
          onOpened={(requestId) => {
            setProposing(false);
            void navigate({ to: '/approvals/$requestId', params: { requestId } });
          }}
        />
      )}
    </>
  );
}
