// Who answers for a system: its accountable owner and an owner per lifecycle phase. Changing them
// takes a rationale; the owner change also sends the version read (If-Match), so a stale page
// cannot overwrite someone else's change.
import { Alert, Anchor, Button, Group, Modal, Stack, Table, Text, Textarea, Title, VisuallyHidden } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError, api, unwrap } from '../../api/client';
import { holds, useSession } from '../../api/session';
import type { Answer } from '../../api/types';
import { Time } from '../../components/Time';
import { humanize, PHASES } from './labels';
import { PersonPicker } from './PersonPicker';
import { rationaleError } from './rationale';

type System = Answer<'getSystem'>;
type Phase = (typeof PHASES)[number];

/** A dialog asking for a person (unless removing) and why. */
function OwnerDialog({
  title,
  withPerson,
  opened,
  onClose,
  submit,
  submitLabel,
}: {
  title: string;
  withPerson: boolean;
  opened: boolean;
  onClose: () => void;
  submit: (values: { userId: string; rationale: string }) => Promise<unknown>;
  submitLabel: string;
}) {
  const queryClient = useQueryClient();
  const form = useForm({
    initialValues: { userId: null as string | null, rationale: '' },
    validate: { userId: (v) => (!withPerson || v ? null : 'Choose the person'), rationale: rationaleError },
  });
  const save = useMutation({
    mutationFn: (values: { userId: string | null; rationale: string }) =>
      submit({ userId: values.userId ?? '', rationale: values.rationale }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['systems'] });
      notifications.show({ color: 'green', message: `${title}: done` });
      form.reset();
      onClose();
    },
  });
  return (
    <Modal opened={opened} onClose={onClose} closeButtonProps={{ 'aria-label': 'Close' }} title={title}>
      <form onSubmit={form.onSubmit((values) => save.mutate(values))} noValidate>
        <Stack>
          {withPerson && <PersonPicker label="Person" required {...form.getInputProps('userId')} />}
          <Textarea
            label="Why"
            description="Kept in the ledger with the change"
            required
            autosize
            minRows={2}
            {...form.getInputProps('rationale')}
          />
          {save.error && (
            <Alert color="red" role="alert" title="Refused">
              {save.error.message}
              {save.error instanceof ApiError && (
                <Text size="xs" mt={4}>
                  code: <code>{save.error.code}</code>
                </Text>
              )}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending}>
              {submitLabel}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

type Dialog = { kind: 'owner' } | { kind: 'assign'; phase: Phase } | { kind: 'unassign'; phase: Phase } | null;

export function OwnersPanel({ system }: { system: System }) {
  const session = useSession();
  const [dialog, setDialog] = useState<Dialog>(null);
  const mayGovern = holds(session, ['admin', 'governance_lead']);
  const mayEdit = mayGovern || holds(session, ['system_owner'], system.id);
  const owners = new Map(system.phaseOwners.map((o) => [o.phase, o]));
  const close = () => setDialog(null);
  return (
    <Stack gap="xs">
      <Title order={2} size="h4">
        Owners
      </Title>
      <Group gap="xs">
        <Text size="sm">
          Accountable owner: <strong>{system.accountableOwnerName ?? 'nobody yet'}</strong>
        </Text>
        {mayGovern && (
          <Anchor component="button" type="button" size="sm" onClick={() => setDialog({ kind: 'owner' })}>
            Change the accountable owner
          </Anchor>
        )}
      </Group>
      <Table withTableBorder fz="sm" aria-label="Owners per lifecycle phase">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Phase</Table.Th>
            <Table.Th>Owner</Table.Th>
            <Table.Th>Since</Table.Th>
            {mayEdit && <Table.Th>Actions</Table.Th>}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {PHASES.map((phase) => {
            const owner = owners.get(phase);
            return (
              <Table.Tr key={phase}>
                <Table.Td>{humanize(phase)}</Table.Td>
                <Table.Td>
                  {owner ? (
                    (owner.userName ?? owner.userId)
                  ) : (
                    <Text c="dimmed" size="sm">
                      No owner
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>{owner ? <Time value={owner.assignedAt} /> : '—'}</Table.Td>
                {mayEdit && (
                  <Table.Td>
                    <Group gap="xs">
                      <Button size="compact-xs" variant="light" onClick={() => setDialog({ kind: 'assign', phase })}>
                        {owner ? 'Change' : 'Name'}
                        <VisuallyHidden> owner of {humanize(phase)}</VisuallyHidden>
                      </Button>
                      {owner && (
                        <Button size="compact-xs" variant="subtle" color="red" onClick={() => setDialog({ kind: 'unassign', phase })}>
                          Remove
                          <VisuallyHidden> owner of {humanize(phase)}</VisuallyHidden>
                        </Button>
                      )}
                    </Group>
                  </Table.Td>
                )}
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
      <OwnerDialog
        title="Change the accountable owner"
        withPerson
        opened={dialog?.kind === 'owner'}
        onClose={close}
        submitLabel="Change owner"
        submit={({ userId, rationale }) =>
          unwrap(
            api.POST('/api/v1/systems/{id}/owner', {
              params: { path: { id: system.id }, header: { 'If-Match': `"${system.version}"` } },
              body: { ownerId: userId, rationale },
            }),
          )
        }
      />
      {dialog?.kind === 'assign' && (
        <OwnerDialog
          title={`Owner of the ${humanize(dialog.phase).toLowerCase()} phase`}
          withPerson
          opened
          onClose={close}
          submitLabel="Name owner"
          submit={({ userId, rationale }) =>
            unwrap(
              api.PUT('/api/v1/systems/{id}/phase-owners/{phase}', {
                params: { path: { id: system.id, phase: dialog.phase } },
                body: { userId, rationale },
              }),
            )
          }
        />
      )}
      {dialog?.kind === 'unassign' && (
        <OwnerDialog
          title={`Remove the owner of the ${humanize(dialog.phase).toLowerCase()} phase`}
          withPerson={false}
          opened
          onClose={close}
          submitLabel="Remove owner"
          submit={({ rationale }) =>
            unwrap(
              api.DELETE('/api/v1/systems/{id}/phase-owners/{phase}', {
                params: { path: { id: system.id, phase: dialog.phase } },
                body: { rationale },
              }),
            )
          }
        />
      )}
    </Stack>
  );
}
