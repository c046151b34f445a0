// Auditor access: an admin grants an external auditor read-only access to one scope (a system, a
// framework, a period) until a date, revokes it, and sees every read made under it. An external
// auditor sees their own grant, a link into its system, and their own reads.
import {
  Badge,
  Button,
  Group,
  Modal,
  PasswordInput,
  SegmentedControl,
  Select,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  VisuallyHidden,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { useRef, useState } from 'react';
import { api, unwrap } from '../../api/client';
import { holds, useSession } from '../../api/session';
import type { Answer, Body } from '../../api/types';
import { AnchorLink } from '../../components/AnchorLink';
import { PageHeader } from '../../components/PageHeader';
import { SystemPicker } from '../../components/SystemPicker';
import { Empty, ErrorState, Loading } from '../../components/states';
import { Time } from '../../components/Time';
import { grantsRoute } from '../../routes/admin.routes';

type Grant = Answer<'getAuditorGrant'>;
const PAGE = 20;
const FRAMEWORKS = [
  { value: 'iso42001', label: 'ISO/IEC 42001' },
  { value: 'nist-ai-rmf', label: 'NIST AI RMF' },
  { value: 'eu-ai-act', label: 'EU AI Act' },
  { value: 'gdpr', label: 'GDPR' },
  { value: 'dora', label: 'DORA' },
];
const STATUS_COLOR = { live: 'green', expired: 'gray', revoked: 'red' } as const;

/** A date input (yyyy-mm-dd) as the start of that day in the viewer's zone, as ISO 8601. */
const dayToIso = (day: string) => new Date(`${day}T00:00:00`).toISOString();
const dayAhead = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

export function GrantsPage() {
  const session = useSession();
  if (holds(session, ['admin'])) return <AdminGrants />;
  if (session.roles.includes('external_auditor')) return <MyAccess />;
  return (
    <>
      <PageHeader title="Auditor access" />
      <Empty title="Auditor access is for admins">Admins grant external auditors read-only access.</Empty>
    </>
  );
}

function Scope({ grant }: { grant: Grant }) {
  return (
    <Stack gap={2}>
      <Text size="sm">
        {grant.systemId ? (
          <AnchorLink to="/systems/$systemId" params={{ systemId: grant.systemId }}>
            System {grant.systemId.slice(0, 8)}
          </AnchorLink>
        ) : (
          'Every system'
        )}
        {' · '}
        {FRAMEWORKS.find((f) => f.value === grant.framework)?.label ?? 'every framework'}
      </Text>
      {(grant.periodFrom || grant.periodTo) && (
        <Text size="xs" c="dimmed">
          Records {grant.periodFrom ? <Time value={grant.periodFrom} /> : 'from the start'} to{' '}
          {grant.periodTo ? <Time value={grant.periodTo} /> : 'now'}
        </Text>
      )}
    </Stack>
  );
}

function GrantForm({ onDone }: { onDone: () => void }) {
  const queryClient = useQueryClient();
  const form = useForm({
    initialValues: {
      who: 'new' as 'new' | 'existing',
      auditorId: null as string | null,
      email: '',
      displayName: '',
      password: '',
      systemId: null as string | null,
      framework: null as string | null,
      periodFrom: '',
      periodTo: '',
      expires: dayAhead(30),
      rationale: '',
    },
    validate: {
      email: (v, values) => (values.who === 'new' && !v.includes('@') ? 'An email address' : null),
      displayName: (v, values) => (values.who === 'new' && !v.trim() ? 'The auditor’s name' : null),
      auditorId: (v, values) => (values.who === 'existing' && !v ? 'Choose the auditor' : null),
      expires: (v) => (v ? null : 'When the access ends'),
    },
  });
  const auditors = useQuery({
    queryKey: ['users', 'external_auditor'],
    queryFn: () => unwrap(api.GET('/api/v1/users', { params: { query: { role: 'external_auditor', status: 'active', limit: 200 } } })),
    enabled: form.values.who === 'existing',
  });
  const create = useMutation({
    mutationFn: (v: typeof form.values) => {
      const body: Body<'createAuditorGrant'> = {
        ...(v.who === 'new'
          ? { newAuditor: { email: v.email.trim(), displayName: v.displayName.trim(), ...(v.password ? { password: v.password } : {}) } }
          : { auditorId: v.auditorId ?? '' }),
        ...(v.systemId ? { systemId: v.systemId } : {}),
        ...(v.framework ? { framework: v.framework } : {}),
        ...(v.periodFrom ? { periodFrom: dayToIso(v.periodFrom) } : {}),
        ...(v.periodTo ? { periodTo: dayToIso(v.periodTo) } : {}),
        expiresAt: dayToIso(v.expires),
        rationale: v.rationale,
      };
      return unwrap(api.POST('/api/v1/auditor-grants', { body }));
    },
    onSuccess: async (grant) => {
      notifications.show({
        color: 'green',
        message: `${grant.auditorName ?? grant.auditorEmail} may read until ${grant.expiresAt.slice(0, 10)}`,
      });
      await queryClient.invalidateQueries({ queryKey: ['auditor-grants'] });
      onDone();
    },
  });
  return (
    <form onSubmit={form.onSubmit((values) => create.mutate(values))}>
      <Stack>
        {create.isError && <ErrorState error={create.error} title="Access was not granted" />}
        <SegmentedControl
          aria-label="Auditor"
          data={[
            { value: 'new', label: 'New auditor' },
            { value: 'existing', label: 'Existing auditor' },
          ]}
          {...form.getInputProps('who')}
        />
        {form.values.who === 'new' ? (
          <>
            <TextInput label="Email" required {...form.getInputProps('email')} />
            <TextInput label="Display name" required {...form.getInputProps('displayName')} />
            <PasswordInput
              label="Initial password"
              description="At least 12 characters; give it to the auditor apart"
              {...form.getInputProps('password')}
            />
          </>
        ) : (
          <Select
            label="Auditor"
            description="Accounts holding only the external auditor role"
            data={(auditors.data?.items ?? []).map((u) => ({ value: u.id, label: `${u.displayName} (${u.email})` }))}
            searchable
            {...form.getInputProps('auditorId')}
          />
        )}
        <SystemPicker
          label="AI system"
          description="Empty: every system"
          clearable
          value={form.values.systemId}
          onChange={(systemId) => form.setFieldValue('systemId', systemId)}
        />
        <Select label="Framework" description="Empty: every framework" clearable data={FRAMEWORKS} {...form.getInputProps('framework')} />
        <Group grow>
          <TextInput type="date" label="Records from" {...form.getInputProps('periodFrom')} />
          <TextInput type="date" label="Records until" {...form.getInputProps('periodTo')} />
        </Group>
        <TextInput type="date" label="Access ends" description="At most 180 days ahead" required {...form.getInputProps('expires')} />
        <Textarea
          label="Rationale"
          description="Why this auditor needs this access"
          required
          autosize
          minRows={2}
          {...form.getInputProps('rationale')}
        />
        <Button type="submit" loading={create.isPending}>
          Grant access
        </Button>
      </Stack>
    </form>
  );
}

function RevokeForm({ grant, onDone }: { grant: Grant; onDone: () => void }) {
  const queryClient = useQueryClient();
  const [rationale, setRationale] = useState('');
  const revoke = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/auditor-grants/{id}/revoke', { params: { path: { id: grant.id } }, body: { rationale } })),
    onSuccess: async () => {
      notifications.show({ color: 'green', message: `Access of ${grant.auditorName ?? grant.auditorEmail} revoked` });
      await queryClient.invalidateQueries({ queryKey: ['auditor-grants'] });
      onDone();
    },
  });
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        revoke.mutate();
      }}
    >
      <Stack>
        {revoke.isError && <ErrorState error={revoke.error} title="Not revoked" />}
        <Textarea label="Rationale" required value={rationale} onChange={(e) => setRationale(e.currentTarget.value)} autosize minRows={2} />
        <Button type="submit" color="red" loading={revoke.isPending}>
          Revoke access
        </Button>
      </Stack>
    </form>
  );
}

/** The reads logged under a grant, a page at a time from the server. */
function Reads({ grantId }: { grantId: string }) {
  const [offset, setOffset] = useState(0);
  const reads = useQuery({
    queryKey: ['auditor-grants', grantId, 'reads', offset],
    queryFn: () =>
      unwrap(api.GET('/api/v1/auditor-grants/{id}/reads', { params: { path: { id: grantId }, query: { limit: PAGE, offset } } })),
    placeholderData: keepPreviousData,
  });
  if (reads.isPending) return <Loading />;
  if (reads.isError) return <ErrorState error={reads.error} />;
  if (reads.data.total === 0)
    return <Empty title="Nothing read yet">Each request the auditor makes is listed here and kept in the ledger.</Empty>;
  return (
    <>
      <Table.ScrollContainer minWidth={500}>
        <Table striped aria-label="Reads under this grant">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>When</Table.Th>
              <Table.Th>Request</Table.Th>
              <Table.Th>Answer</Table.Th>
              <Table.Th>Ledger entry</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {reads.data.items.map((r) => (
              <Table.Tr key={r.seq}>
                <Table.Td>
                  <Time value={r.recordedAt} />
                </Table.Td>
                <Table.Td>
                  <Text size="sm" style={{ wordBreak: 'break-all' }}>
                    {r.method} {r.url}
                  </Text>
                </Table.Td>
                <Table.Td>{r.status}</Table.Td>
                <Table.Td>{r.seq}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Group justify="space-between" mt="sm">
        <Text size="sm">{reads.data.total} reads</Text>
        <Group gap="xs">
          <Button variant="default" size="xs" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
            Previous
          </Button>
          <Button variant="default" size="xs" disabled={offset + PAGE >= reads.data.total} onClick={() => setOffset(offset + PAGE)}>
            Next
          </Button>
        </Group>
      </Group>
    </>
  );
}

function AdminGrants() {
  const search = grantsRoute.useSearch();
  const navigate = useNavigate({ from: grantsRoute.fullPath });
  const [dialog, setDialog] = useState<{ kind: 'create' } | { kind: 'revoke' | 'reads'; grant: Grant } | null>(null);
  const dialogTitle = useRef('');
  if (dialog) {
    const who = dialog.kind === 'create' ? '' : (dialog.grant.auditorName ?? dialog.grant.auditorEmail);
    dialogTitle.current =
      dialog.kind === 'create' ? 'Grant auditor access' : dialog.kind === 'revoke' ? `Revoke the access of ${who}` : `Reads by ${who}`;
  }
  const page = search.page ?? 1;
  const query = { limit: PAGE, offset: (page - 1) * PAGE, ...(search.status ? { status: search.status } : {}) };
  const grants = useQuery({
    queryKey: ['auditor-grants', query],
    queryFn: () => unwrap(api.GET('/api/v1/auditor-grants', { params: { query } })),
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <PageHeader
        title="Auditor access"
        description="External auditors read one scope until a date; every read they make is in the ledger."
        actions={
          <>
            <Button variant="default" component={Link} to="/admin">
              Users
            </Button>
            <Button onClick={() => setDialog({ kind: 'create' })}>Grant access</Button>
          </>
        }
      />
      <Group mb="md">
        <Select
          label="Status"
          clearable
          data={['live', 'expired', 'revoked']}
          value={search.status ?? null}
          onChange={(status) => navigate({ search: { status: (status as 'live' | 'expired' | 'revoked' | null) ?? undefined } })}
          w={180}
        />
      </Group>
      {grants.isPending && <Loading />}
      {grants.isError && <ErrorState error={grants.error} />}
      {grants.data && grants.data.total === 0 && (
        <Empty title="No auditor grant">Grant an external auditor access to one system or framework.</Empty>
      )}
      {grants.data && grants.data.total > 0 && (
        <Table.ScrollContainer minWidth={800}>
          <Table striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Auditor</Table.Th>
                <Table.Th>Scope</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Ends</Table.Th>
                <Table.Th>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {grants.data.items.map((g) => (
                <Table.Tr key={g.id}>
                  <Table.Td>
                    <Text size="sm">{g.auditorName}</Text>
                    <Text size="xs" c="dimmed">
                      {g.auditorEmail}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Scope grant={g} />
                  </Table.Td>
                  <Table.Td>
                    <Badge color={STATUS_COLOR[g.status]} variant="light">
                      {g.status}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <Time value={g.revokedAt ?? g.expiresAt} />
                  </Table.Td>
                  <Table.Td>
                    <Group gap="xs" wrap="nowrap">
                      <Button
                        size="xs"
                        variant="default"
                        onClick={() => setDialog({ kind: 'reads', grant: g })}
                        aria-label={`Reads by ${g.auditorEmail}`}
                      >
                        Reads
                      </Button>
                      {g.status === 'live' && (
                        <Button
                          size="xs"
                          variant="default"
                          color="red"
                          onClick={() => setDialog({ kind: 'revoke', grant: g })}
                          aria-label={`Revoke ${g.auditorEmail}`}
                        >
                          Revoke
                        </Button>
                      )}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Group justify="space-between" mt="sm">
            <Text size="sm">{grants.data.total} grants</Text>
            <Group gap="xs">
              <Button
                variant="default"
                size="xs"
                disabled={page <= 1}
                onClick={() => navigate({ search: (prev) => ({ ...prev, page: page - 1 }) })}
              >
                Previous
              </Button>
              <Button
                variant="default"
                size="xs"
                disabled={page * PAGE >= grants.data.total}
                onClick={() => navigate({ search: (prev) => ({ ...prev, page: page + 1 }) })}
              >
                Next
              </Button>
            </Group>
          </Group>
        </Table.ScrollContainer>
      )}
      <Modal
        opened={dialog !== null}
        onClose={() => setDialog(null)}
        title={dialogTitle.current}
        size={dialog?.kind === 'reads' ? 'xl' : 'md'}
      >
        {dialog?.kind === 'create' && <GrantForm onDone={() => setDialog(null)} />}
        {dialog?.kind === 'revoke' && <RevokeForm grant={dialog.grant} onDone={() => setDialog(null)} />}
        {dialog?.kind === 'reads' && <Reads grantId={dialog.grant.id} />}
      </Modal>
    </>
  );
}

function MyAccess() {
  const grants = useQuery({
    queryKey: ['auditor-grants', 'mine'],
    queryFn: () => unwrap(api.GET('/api/v1/auditor-grants', { params: { query: { limit: PAGE } } })),
  });
  const live = grants.data?.items.find((g) => g.status === 'live');
  return (
    <>
      <PageHeader
        title="My auditor access"
        description="What you may read, until when; every request you make is recorded in the ledger."
      />
      {grants.isPending && <Loading />}
      {grants.isError && <ErrorState error={grants.error} />}
      {grants.data && !live && (
        <Empty title="You hold no live grant">Your access has ended or was revoked. Ask the organisation’s admin.</Empty>
      )}
      {live && (
        <Stack>
          <Group>
            <Badge color="green" variant="light">
              live
            </Badge>
            <Text size="sm">
              Until <Time value={live.expiresAt} />
            </Text>
          </Group>
          <Scope grant={live} />
          <Text size="sm" fw={600} mt="md">
            Your reads
          </Text>
          <Reads grantId={live.id} />
        </Stack>
      )}
    </>
  );
}
