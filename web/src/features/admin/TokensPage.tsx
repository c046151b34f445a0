// My API tokens: make one (an auditor's is read-only), see its secret once, revoke it.
import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Code,
  CopyButton,
  Fieldset,
  Group,
  Modal,
  NumberInput,
  Stack,
  Table,
  Text,
  TextInput,
  VisuallyHidden,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { holds, useSession } from '../../api/session';
import type { Answer } from '../../api/types';
import { PageHeader } from '../../components/PageHeader';
import { Empty, ErrorState, Loading } from '../../components/states';
import { Time } from '../../components/Time';

type Created = Answer<'createApiToken'>;

/** Who may follow the ledger (GET /api/v1/ledger/stream's roles); only they are offered its scope. */
export const LEDGER_STREAMERS = ['admin', 'auditor', 'governance_lead'] as const;

const SCOPE_OF = { read: 'read', write: 'write', ingest: 'ingest', stream: 'ledger:stream' } as const;

function CreateTokenForm({
  readOnly,
  mayStream,
  onCreated,
}: {
  readOnly: boolean;
  mayStream: boolean;
  onCreated: (token: Created) => void;
}) {
  const queryClient = useQueryClient();
  const form = useForm({
    initialValues: { name: '', read: true, write: false, ingest: false, stream: false, expiresInDays: 90 },
    validate: { name: (v) => (v.trim() ? null : 'Name the token after what will use it') },
  });
  const create = useMutation({
    mutationFn: (values: typeof form.values) => {
      const scopes = (['read', 'write', 'ingest', 'stream'] as const).filter((s) => values[s]).map((s) => SCOPE_OF[s]);
      return unwrap(api.POST('/api/v1/tokens', { body: { name: values.name.trim(), scopes, expiresInDays: values.expiresInDays } }));
    },
    onSuccess: async (token) => {
      await queryClient.invalidateQueries({ queryKey: ['tokens'] });
      onCreated(token);
    },
  });
  return (
    <form onSubmit={form.onSubmit((values) => create.mutate(values))}>
      <Stack>
        {create.isError && <ErrorState error={create.error} title="The token was not made" />}
        <TextInput label="Name" description="What will use it, e.g. the audit notebook" required {...form.getInputProps('name')} />
        <Fieldset legend="Scopes" variant="unstyled">
          <Stack gap={4}>
            <Checkbox label="read: read records and the ledger" {...form.getInputProps('read', { type: 'checkbox' })} />
            {!readOnly && <Checkbox label="write: change records" {...form.getInputProps('write', { type: 'checkbox' })} />}
            {!readOnly && (
              <Checkbox label="ingest: report decision records from an AI system" {...form.getInputProps('ingest', { type: 'checkbox' })} />
            )}
            {mayStream && (
              <Checkbox
                label="ledger:stream: follow the ledger as events are appended (e.g. for a SIEM)"
                {...form.getInputProps('stream', { type: 'checkbox' })}
              />
            )}
          </Stack>
        </Fieldset>
        {readOnly && (
          <Text size="sm">Auditors read everything and change nothing: their tokens only read (and may follow the ledger).</Text>
        )}
        <NumberInput label="Expires after (days)" min={1} max={365} allowDecimal={false} {...form.getInputProps('expiresInDays')} />
        <Button
          type="submit"
          loading={create.isPending}
          disabled={!form.values.read && !form.values.write && !form.values.ingest && !form.values.stream}
        >
          Make the token
        </Button>
      </Stack>
    </form>
  );
}

const PAGE = 20;

export function TokensPage() {
  const session = useSession();
  const queryClient = useQueryClient();
  const readOnly = session.roles.length > 0 && session.roles.every((r) => r === 'auditor');
  const [opened, { open, close }] = useDisclosure(false);
  const [created, setCreated] = useState<Created | null>(null);
  const [offset, setOffset] = useState(0);
  const tokens = useQuery({
    queryKey: ['tokens', session.user.id, offset],
    queryFn: () => unwrap(api.GET('/api/v1/tokens', { params: { query: { userId: session.user.id, limit: PAGE, offset } } })),
    placeholderData: keepPreviousData,
  });
  const revoke = useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/api/v1/tokens/{id}', { params: { path: { id } } })),
    onSuccess: async (token) => {
      notifications.show({ color: 'green', message: `Token "${token.name}" revoked` });
      await queryClient.invalidateQueries({ queryKey: ['tokens'] });
    },
    onError: (error) => notifications.show({ color: 'red', title: 'Not revoked', message: error.message }),
  });
  return (
    <>
      <PageHeader
        title="API tokens"
        description="Tokens let programs act as you. The secret is shown once, when the token is made."
        actions={
          <Button
            onClick={() => {
              setCreated(null);
              open();
            }}
          >
            New token
          </Button>
        }
      />
      {created && (
        <Alert color="green" title={`Token "${created.name}" made: copy it now, it is never shown again`} mb="md" role="status">
          <Group gap="xs" wrap="nowrap">
            <Code aria-label="The new token" style={{ wordBreak: 'break-all' }}>
              {created.token}
            </Code>
            <CopyButton value={created.token}>
              {({ copied, copy }) => (
                <Button size="xs" variant="default" onClick={copy}>
                  {copied ? 'Copied' : 'Copy'}
                </Button>
              )}
            </CopyButton>
          </Group>
        </Alert>
      )}
      {tokens.isPending && <Loading />}
      {tokens.isError && <ErrorState error={tokens.error} />}
      {tokens.data && tokens.data.total === 0 && <Empty title="You have no API token">Make one for a script or a notebook.</Empty>}
      {tokens.data && tokens.data.total > 0 && (
        <Table.ScrollContainer minWidth={700}>
          <Table striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Scopes</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Made</Table.Th>
                <Table.Th>Expires</Table.Th>
                <Table.Th>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {tokens.data.items.map((t) => (
                <Table.Tr key={t.id}>
                  <Table.Td>{t.name}</Table.Td>
                  <Table.Td>{t.scopes.join(', ')}</Table.Td>
                  <Table.Td>
                    <Badge color={t.status === 'active' ? 'green' : 'gray'} variant="light">
                      {t.status}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <Time value={t.createdAt} />
                  </Table.Td>
                  <Table.Td>
                    <Time value={t.expiresAt} />
                  </Table.Td>
                  <Table.Td>
                    {t.status === 'active' && !readOnly && (
                      <Button size="xs" variant="default" color="red" onClick={() => revoke.mutate(t.id)} aria-label={`Revoke ${t.name}`}>
                        Revoke
                      </Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Group justify="space-between" mt="sm">
            <Text size="sm">
              {tokens.data.total} {tokens.data.total === 1 ? 'token' : 'tokens'}
            </Text>
            <Group gap="xs">
              <Button variant="default" size="xs" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
                Previous
              </Button>
              <Button variant="default" size="xs" disabled={offset + PAGE >= tokens.data.total} onClick={() => setOffset(offset + PAGE)}>
                Next
              </Button>
            </Group>
          </Group>
        </Table.ScrollContainer>
      )}
      <Modal opened={opened} onClose={close} title="New API token">
        <CreateTokenForm
          readOnly={readOnly}
          mayStream={holds(session, LEDGER_STREAMERS)}
          onCreated={(token) => {
            setCreated(token);
            close();
          }}
        />
      </Modal>
    </>
  );
}
