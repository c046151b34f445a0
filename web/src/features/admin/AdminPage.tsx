// Administration: the people who use Proofline, their roles (global and per AI system), and
// deactivation. Every change asks for a reason and carries the version read (no lost update).
import {
  Badge,
  Button,
  Group,
  Modal,
  MultiSelect,
  Pagination,
  PasswordInput,
  Select,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { useRef, useState } from 'react';
import { api, unwrap } from '../../api/client';
import { holds, useSession } from '../../api/session';
import type { Answer } from '../../api/types';
import { PageHeader } from '../../components/PageHeader';
import { SystemPicker } from '../../components/SystemPicker';
import { Empty, ErrorState, Loading } from '../../components/states';
import { Time } from '../../components/Time';
import { adminRoute } from '../../routes/admin.routes';
import { fromRows, ROLE_LABELS, ROLE_OPTIONS, type SystemRoleRow, toRows } from './roles';

type User = Answer<'getUser'>;
const PAGE = 25;

function CreateUserForm({ onDone }: { onDone: () => void }) {
  const queryClient = useQueryClient();
  const form = useForm({
    initialValues: { email: '', displayName: '', password: '', roles: [] as string[] },
    validate: {
      email: (v) => (/^\S+@\S+\.\S+$/.test(v) ? null : 'An email address'),
      displayName: (v) => (v.trim() ? null : 'The name people will see'),
      password: (v) => (v === '' || v.length >= 12 ? null : 'At least 12 characters, or leave empty'),
    },
  });
  const create = useMutation({
    mutationFn: (v: typeof form.values) =>
      unwrap(
        api.POST('/api/v1/users', {
          body: {
            email: v.email.trim(),
            displayName: v.displayName.trim(),
            ...(v.password ? { password: v.password } : {}),
            roles: v.roles as User['roles'],
          },
        }),
      ),
    onSuccess: async (user) => {
      notifications.show({ color: 'green', message: `${user.displayName} can now sign in` });
      await queryClient.invalidateQueries({ queryKey: ['users'] });
      onDone();
    },
  });
  return (
    <form onSubmit={form.onSubmit((v) => create.mutate(v))}>
      <Stack>
        {create.isError && <ErrorState error={create.error} title="The user was not created" />}
        <TextInput label="Email" type="email" required {...form.getInputProps('email')} />
        <TextInput label="Display name" required {...form.getInputProps('displayName')} />
        <PasswordInput
          label="Initial password"
          description="At least 12 characters; they change it after signing in"
          {...form.getInputProps('password')}
        />
        <MultiSelect label="Global roles" data={ROLE_OPTIONS} {...form.getInputProps('roles')} />
        <Button type="submit" loading={create.isPending}>
          Create user
        </Button>
      </Stack>
    </form>
  );
}

function RolesForm({ user, onDone }: { user: User; onDone: () => void }) {
  const queryClient = useQueryClient();
  const [roles, setRoles] = useState<string[]>(user.roles);
  const [rows, setRows] = useState<SystemRoleRow[]>(toRows(user.systemRoles));
  const [reason, setReason] = useState('');
  const save = useMutation({
    mutationFn: () =>
      unwrap(
        api.PUT('/api/v1/users/{id}/roles', {
          params: { path: { id: user.id } },
          body: { roles: roles as User['roles'], systemRoles: fromRows(rows) as User['systemRoles'], reason, version: user.version },
        }),
      ),
    onSuccess: async (updated) => {
      notifications.show({ color: 'green', message: `Roles of ${updated.displayName} saved` });
      await queryClient.invalidateQueries({ queryKey: ['users'] });
      onDone();
    },
  });
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <Stack>
        {save.isError && <ErrorState error={save.error} title="The roles were not changed" />}
        <MultiSelect label="Global roles" data={ROLE_OPTIONS} value={roles} onChange={setRoles} />
        <Text fw={600} size="sm">
          Roles for single AI systems
        </Text>
        {rows.map((row, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity until saved
          <Group key={i} align="flex-end" wrap="nowrap">
            <SystemPicker
              label="AI system"
              value={row.systemId || null}
              onChange={(systemId) => setRows(rows.map((r, j) => (j === i ? { ...r, systemId: systemId ?? '' } : r)))}
              style={{ flex: 1 }}
            />
            <MultiSelect
              label="Roles for it"
              data={ROLE_OPTIONS.filter((o) => o.value !== 'admin' && o.value !== 'auditor')}
              value={row.roles}
              onChange={(value) => setRows(rows.map((r, j) => (j === i ? { ...r, roles: value } : r)))}
              style={{ flex: 1 }}
            />
            <Button variant="subtle" color="red" onClick={() => setRows(rows.filter((_, j) => j !== i))} aria-label={`Remove row ${i + 1}`}>
              Remove
            </Button>
          </Group>
        ))}
        <Button variant="default" onClick={() => setRows([...rows, { systemId: '', roles: [] }])}>
          Add a system role
        </Button>
        <Textarea
          label="Reason"
          description="Why this person gets or loses these roles"
          required
          value={reason}
          onChange={(e) => setReason(e.currentTarget.value)}
        />
        <Button type="submit" loading={save.isPending}>
          Save roles
        </Button>
      </Stack>
    </form>
  );
}

function DeactivateForm({ user, onDone }: { user: User; onDone: () => void }) {
  const queryClient = useQueryClient();
  const [reason, setReason] = useState('');
  const deactivate = useMutation({
    mutationFn: () =>
      unwrap(api.POST('/api/v1/users/{id}/deactivate', { params: { path: { id: user.id } }, body: { reason, version: user.version } })),
    onSuccess: async () => {
      notifications.show({ color: 'green', message: `${user.displayName} is deactivated; their sessions, tokens and delegations ended` });
      await queryClient.invalidateQueries({ queryKey: ['users'] });
      onDone();
    },
  });
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        deactivate.mutate();
      }}
    >
      <Stack>
        {deactivate.isError && <ErrorState error={deactivate.error} title="Not deactivated" />}
        <Text size="sm">
          {user.displayName} will no longer sign in; their sessions and tokens end and every delegation they gave or received ends.
        </Text>
        <Textarea label="Reason" required value={reason} onChange={(e) => setReason(e.currentTarget.value)} />
        <Button type="submit" color="red" loading={deactivate.isPending}>
          Deactivate
        </Button>
      </Stack>
    </form>
  );
}

export function AdminPage() {
  const session = useSession();
  if (!holds(session, ['admin'])) {
    return (
      <>
        <PageHeader title="Administration" />
        <Empty title="Administration is for admins">You can manage your own API tokens.</Empty>
        <Button variant="default" component={Link} to="/admin/tokens">
          My API tokens
        </Button>
      </>
    );
  }
  return <UsersAdmin />;
}

function UsersAdmin() {
  const search = adminRoute.useSearch();
  const navigate = useNavigate({ from: adminRoute.fullPath });
  const [email, setEmail] = useState(search.email ?? '');
  const [debouncedEmail] = useDebouncedValue(email, 300);
  const [dialog, setDialog] = useState<{ kind: 'create' } | { kind: 'roles' | 'deactivate'; user: User } | null>(null);
  // The title outlives the dialog's state while it closes, so the closing dialog keeps its name.
  const dialogTitle = useRef('');
  if (dialog) {
    dialogTitle.current =
      dialog.kind === 'create'
        ? 'New user'
        : dialog.kind === 'roles'
          ? `Roles of ${dialog.user.displayName}`
          : `Deactivate ${dialog.user.displayName}`;
  }
  const page = search.page ?? 1;
  const query = {
    limit: PAGE,
    offset: (page - 1) * PAGE,
    ...(search.status ? { status: search.status } : {}),
    ...(search.role ? { role: search.role as User['roles'][number] } : {}),
    ...(debouncedEmail ? { email: debouncedEmail } : {}),
  };
  const users = useQuery({
    queryKey: ['users', query],
    queryFn: () => unwrap(api.GET('/api/v1/users', { params: { query } })),
    placeholderData: keepPreviousData,
  });
  const setSearch = (patch: Partial<typeof search>) => navigate({ search: (prev) => ({ ...prev, page: undefined, ...patch }) });
  return (
    <>
      <PageHeader
        title="Administration"
        description="People, their roles (global and per AI system), and deactivation."
        actions={
          <>
            <Button variant="default" component={Link} to="/admin/tokens">
              My API tokens
            </Button>
            <Button variant="default" component={Link} to="/admin/grants">
              Auditor access
            </Button>
            <Button onClick={() => setDialog({ kind: 'create' })}>New user</Button>
          </>
        }
      />
      <Group mb="md" align="flex-end">
        <TextInput label="Email contains" value={email} onChange={(e) => setEmail(e.currentTarget.value)} w={240} />
        <Select
          label="Role"
          clearable
          data={ROLE_OPTIONS}
          value={search.role ?? null}
          onChange={(role) => setSearch({ role: role ?? undefined })}
          w={220}
        />
        <Select
          label="Status"
          clearable
          data={[
            { value: 'active', label: 'Active' },
            { value: 'deactivated', label: 'Deactivated' },
          ]}
          value={search.status ?? null}
          onChange={(status) => setSearch({ status: (status as 'active' | 'deactivated' | null) ?? undefined })}
          w={160}
        />
      </Group>
      {users.isPending && <Loading />}
      {users.isError && <ErrorState error={users.error} />}
      {users.data && users.data.total === 0 && <Empty title="No user matches these filters" />}
      {users.data && users.data.total > 0 && (
        <>
          <Table.ScrollContainer minWidth={800}>
            <Table striped highlightOnHover>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Email</Table.Th>
                  <Table.Th>Roles</Table.Th>
                  <Table.Th>System roles</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Since</Table.Th>
                  <Table.Th>Actions</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {users.data.items.map((u) => (
                  <Table.Tr key={u.id}>
                    <Table.Td>{u.displayName}</Table.Td>
                    <Table.Td>{u.email}</Table.Td>
                    <Table.Td>{u.roles.map((r) => ROLE_LABELS[r]?.split(' (')[0] ?? r).join(', ') || '—'}</Table.Td>
                    <Table.Td>{Object.keys(u.systemRoles).length || '—'}</Table.Td>
                    <Table.Td>
                      <Badge variant="light" color={u.status === 'active' ? 'green' : 'gray'}>
                        {u.status}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      <Time value={u.createdAt} />
                    </Table.Td>
                    <Table.Td>
                      {u.status === 'active' && (
                        <Group gap={4} wrap="nowrap">
                          <Button
                            size="xs"
                            variant="default"
                            onClick={() => setDialog({ kind: 'roles', user: u })}
                            aria-label={`Roles of ${u.displayName}`}
                          >
                            Roles
                          </Button>
                          <Button
                            size="xs"
                            variant="subtle"
                            color="red"
                            onClick={() => setDialog({ kind: 'deactivate', user: u })}
                            aria-label={`Deactivate ${u.displayName}`}
                          >
                            Deactivate
                          </Button>
                        </Group>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Group justify="space-between" mt="sm">
            <Text size="sm">{users.data.total.toLocaleString()} people</Text>
            <Pagination
              total={Math.max(1, Math.ceil(users.data.total / PAGE))}
              value={page}
              onChange={(p) => navigate({ search: (prev) => ({ ...prev, page: p }) })}
              getControlProps={(control) => ({ 'aria-label': `${control} page` })}
            />
          </Group>
        </>
      )}
      <Modal
        opened={dialog !== null}
        onClose={() => setDialog(null)}
        size="lg"
        title={
          dialog?.kind === 'create'
            ? 'New user'
            : dialog?.kind === 'roles'
              ? `Roles of ${dialog.user.displayName}`
              : dialog
                ? `Deactivate ${dialog.user.displayName}`
                : ''
        }
      >
        {dialog?.kind === 'create' && <CreateUserForm onDone={() => setDialog(null)} />}
        {dialog?.kind === 'roles' && <RolesForm user={dialog.user} onDone={() => setDialog(null)} />}
        {dialog?.kind === 'deactivate' && <DeactivateForm user={dialog.user} onDone={() => setDialog(null)} />}
      </Modal>
    </>
  );
}
