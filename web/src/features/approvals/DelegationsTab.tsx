// Delegations I gave or received: who may decide in my place and until when, and revoking one.
// A delegation covers every approval its delegator may give at the moment of the decision (the API
// has no narrower scope), so the form says so instead of offering a choice the server would ignore.
import { Badge, Button, Group, Modal, Select, Stack, Table, Text, Textarea, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { holds, useSession } from '../../api/session';
import type { Answer } from '../../api/types';
import { Empty, ErrorState, Loading } from '../../components/states';
import { Time } from '../../components/Time';
import { MIN_RATIONALE, mayWrite, visibleLength } from './model';

type Delegation = Answer<'listDelegations'>['items'][number];
const delegationsQuery = { queryKey: ['approvals', 'delegations'], queryFn: () => unwrap(api.GET('/api/v1/approvals/delegations')) };

/** "YYYY-MM-DDTHH:mm" in the viewer's zone, as a datetime-local input wants it. */
function localInput(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

function stateOf(d: Delegation, now = Date.now()): { label: string; color: string } {
  if (d.revokedAt) return { label: 'Revoked', color: 'gray' };
  if (Date.parse(d.endsAt) <= now) return { label: 'Ended', color: 'gray' };
  if (Date.parse(d.startsAt) > now) return { label: 'Upcoming', color: 'blue' };
  return { label: 'Active', color: 'green' };
}

/** People readers (admins, auditors, governance leads) pick from the user list; others give an id. */
function DelegatePicker({ value, onChange }: { value: string; onChange: (id: string) => void }) {
  const session = useSession();
  const mayList = holds(session, ['admin', 'auditor', 'governance_lead']);
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search, 300);
  const users = useQuery({
    queryKey: ['users', 'delegates', debounced],
    queryFn: () =>
      unwrap(api.GET('/api/v1/users', { params: { query: { status: 'active', limit: 20, ...(debounced ? { email: debounced } : {}) } } })),
    enabled: mayList,
  });
  if (!mayList) {
    return (
      <TextInput
        label="Delegate (user id)"
        description="The id of the person who may decide in your place"
        required
        value={value}
        onChange={(e) => onChange(e.currentTarget.value.trim())}
      />
    );
  }
  return (
    <Select
      label="Delegate"
      description="Search by email"
      required
      searchable
      searchValue={search}
      onSearchChange={setSearch}
      filter={({ options }) => options}
      nothingFoundMessage={users.isPending ? 'Searching…' : 'Nobody matches'}
      data={(users.data?.items ?? [])
        .filter((u) => u.id !== session.user.id)
        .map((u) => ({ value: u.id, label: `${u.displayName} (${u.email})` }))}
      value={value || null}
      onChange={(id) => onChange(id ?? '')}
    />
  );
}

function DelegationForm({ onDone }: { onDone: () => void }) {
  const queryClient = useQueryClient();
  const [delegateId, setDelegateId] = useState('');
  const [startsAt, setStartsAt] = useState('');
  const [endsAt, setEndsAt] = useState(() => localInput(new Date(Date.now() + 7 * 86_400_000)));
  const [reason, setReason] = useState('');
  const create = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/v1/approvals/delegations', {
          body: {
            delegateId,
            ...(startsAt ? { startsAt: new Date(startsAt).toISOString() } : {}),
            endsAt: new Date(endsAt).toISOString(),
            reason,
          },
        }),
      ),
    onSuccess: async (d) => {
      notifications.show({ color: 'green', message: `${d.delegateName ?? d.delegateId} may now decide in your place` });
      await queryClient.invalidateQueries({ queryKey: ['approvals'] });
      onDone();
    },
  });
  const short = visibleLength(reason) < MIN_RATIONALE;
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate();
      }}
    >
      <Stack>
        {create.isError && <ErrorState error={create.error} title="The delegation was not made" />}
        <DelegatePicker value={delegateId} onChange={setDelegateId} />
        <Text size="sm" c="dimmed">
          Covers every approval you may give, for every AI system, with the roles you hold when they decide. Their decisions record both
          names.
        </Text>
        <TextInput
          label="From"
          description="Leave empty to start now"
          type="datetime-local"
          value={startsAt}
          onChange={(e) => setStartsAt(e.currentTarget.value)}
        />
        <TextInput label="Until" type="datetime-local" required value={endsAt} onChange={(e) => setEndsAt(e.currentTarget.value)} />
        <Textarea
          label="Why"
          description={`At least ${MIN_RATIONALE} visible characters (${visibleLength(reason)} so far)`}
          required
          autosize
          minRows={2}
          value={reason}
          onChange={(e) => setReason(e.currentTarget.value)}
        />
        <Button type="submit" loading={create.isPending} disabled={!delegateId || !endsAt || short}>
          Delegate
        </Button>
      </Stack>
    </form>
  );
}

export function DelegationsTab() {
  const session = useSession();
  const queryClient = useQueryClient();
  const [creating, setCreating] = useState(false);
  const delegations = useQuery(delegationsQuery);
  const writer = mayWrite(session);
  const revoke = useMutation({
    mutationFn: (d: Delegation) => unwrap(api.POST('/api/v1/approvals/delegations/{id}/revoke', { params: { path: { id: d.id } } })),
    onSuccess: async (d) => {
      notifications.show({ color: 'green', message: `Delegation to ${d.delegateName ?? d.delegateId} revoked` });
      await queryClient.invalidateQueries({ queryKey: ['approvals'] });
    },
  });
  return (
    <>
      <Group justify="space-between" mb="sm">
        <Text size="sm">Who may decide in your place, and for whom you may decide.</Text>
        {writer && <Button onClick={() => setCreating(true)}>New delegation</Button>}
      </Group>
      {delegations.isPending && <Loading />}
      {delegations.isError && <ErrorState error={delegations.error} />}
      {delegations.data?.items.length === 0 && <Empty title="No delegations">Delegate your approvals while you are away.</Empty>}
      {delegations.data && delegations.data.items.length > 0 && (
        <Table.ScrollContainer minWidth={760}>
          <Table striped aria-label="Delegations">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>From</Table.Th>
                <Table.Th>To</Table.Th>
                <Table.Th>Starts</Table.Th>
                <Table.Th>Ends</Table.Th>
                <Table.Th>Why</Table.Th>
                <Table.Th>State</Table.Th>
                <Table.Th>Actions</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {delegations.data.items.map((d) => {
                const state = stateOf(d);
                const mine = d.delegatorId === session.user.id;
                const to = d.delegateName ?? d.delegateId;
                return (
                  <Table.Tr key={d.id}>
                    <Table.Td>{mine ? 'You' : (d.delegatorName ?? d.delegatorId)}</Table.Td>
                    <Table.Td>{d.delegateId === session.user.id ? 'You' : to}</Table.Td>
                    <Table.Td>
                      <Time value={d.startsAt} />
                    </Table.Td>
                    <Table.Td>
                      <Time value={d.endsAt} />
                    </Table.Td>
                    <Table.Td>{d.reason}</Table.Td>
                    <Table.Td>
                      <Badge variant="light" color={state.color}>
                        {state.label}
                      </Badge>
                      {d.revokedAt && (
                        <Text size="xs" c="dimmed">
                          <Time value={d.revokedAt} />
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>
                      {mine && !d.revokedAt && state.label !== 'Ended' && (
                        <Button
                          size="xs"
                          variant="subtle"
                          color="red"
                          loading={revoke.isPending && revoke.variables?.id === d.id}
                          onClick={() => revoke.mutate(d)}
                          aria-label={`Revoke the delegation to ${to}`}
                        >
                          Revoke
                        </Button>
                      )}
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <Modal opened={creating} onClose={() => setCreating(false)} title="New delegation" size="lg">
        {creating && <DelegationForm onDone={() => setCreating(false)} />}
      </Modal>
      {revoke.isError && <ErrorState error={revoke.error} title="The delegation was not revoked" />}
    </>
  );
}
