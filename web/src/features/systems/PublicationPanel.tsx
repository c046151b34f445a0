// A system's public transparency page as staff see it: whether it is published, its public
// reference, and (for the system's owner or an admin) the form that publishes, edits or withdraws it.
import { Alert, Anchor, Badge, Button, Group, Modal, Paper, Stack, Switch, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, api, unwrap } from '../../api/client';
import { holds, useSession } from '../../api/session';
import type { Answer } from '../../api/types';
import { ErrorState, Loading } from '../../components/states';
import { Time } from '../../components/Time';

type Publication = Answer<'findPublication'>;

const FIELDS = [
  ['publicName', 'Name the public knows it by', 200],
  ['whatItDoes', 'What it does', 4000],
  ['whatItDoesNot', 'What it does not do', 4000],
  ['humanReview', 'Does a person review its outputs?', 4000],
  ['overseenBy', 'Who oversees it (a role or a name)', 400],
  ['howToChallenge', 'How to challenge a decision', 4000],
] as const;

function PublicationForm({ systemId, current, onDone }: { systemId: string; current: Publication | null; onDone: () => void }) {
  const queryClient = useQueryClient();
  const form = useForm({
    initialValues: {
      published: current?.published ?? true,
      publicName: current?.publicName ?? '',
      whatItDoes: current?.whatItDoes ?? '',
      whatItDoesNot: current?.whatItDoesNot ?? '',
      humanReview: current?.humanReview ?? '',
      overseenBy: current?.overseenBy ?? '',
      howToChallenge: current?.howToChallenge ?? '',
      rationale: '',
    },
  });
  const save = useMutation({
    mutationFn: (v: typeof form.values) =>
      unwrap(
        api.PUT('/api/v1/systems/{id}/publication', {
          params: { path: { id: systemId } },
          body: { ...v, ...(current ? { version: current.version } : {}) },
        }),
      ),
    onSuccess: async (saved) => {
      notifications.show({ color: 'green', message: saved.published ? `Published as ${saved.publicRef}` : 'The public page is withdrawn' });
      await queryClient.invalidateQueries({ queryKey: ['publication', systemId] });
      onDone();
    },
  });
  return (
    <form onSubmit={form.onSubmit((v) => save.mutate(v))}>
      <Stack>
        {save.isError && <ErrorState error={save.error} title="The public page was not saved" />}
        <Switch label="Published on the public pages" {...form.getInputProps('published', { type: 'checkbox' })} />
        {FIELDS.map(([name, label, max]) =>
          max > 400 ? (
            <Textarea key={name} label={label} autosize minRows={2} maxLength={max} {...form.getInputProps(name)} />
          ) : (
            <TextInput key={name} label={label} maxLength={max} {...form.getInputProps(name)} />
          ),
        )}
        <Textarea label="Why this change" required {...form.getInputProps('rationale')} />
        <Button type="submit" loading={save.isPending}>
          Save the public page
        </Button>
      </Stack>
    </form>
  );
}

export function PublicationPanel({ systemId }: { systemId: string }) {
  const session = useSession();
  const [opened, { open, close }] = useDisclosure(false);
  const publication = useQuery({
    queryKey: ['publication', systemId],
    queryFn: async () => {
      try {
        return await unwrap(api.GET('/api/v1/systems/{id}/publication', { params: { path: { id: systemId } } }));
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) return null;
        throw error;
      }
    },
  });
  // As the server decides: an admin, or a system owner (globally or for this system).
  const mayPublish = holds(session, ['admin', 'system_owner'], systemId);
  const p = publication.data;
  return (
    <Paper withBorder p="sm">
      <Group justify="space-between" mb="xs">
        <Title order={2} size="h4">
          Public page
        </Title>
        {p && (
          <Badge variant="light" color={p.published ? 'green' : 'gray'}>
            {p.published ? 'published' : 'not published'}
          </Badge>
        )}
      </Group>
      {publication.isPending && <Loading />}
      {publication.isError && <ErrorState error={publication.error} />}
      {publication.data === null && <Text size="sm">Not published. People affected by this system see nothing about it yet.</Text>}
      {p && (
        <Stack gap={4}>
          <Text size="sm">
            Reference <b>{p.publicRef}</b>
            {p.published && (
              <>
                {' · '}
                <Anchor href={`/public/systems/${p.publicRef}`} target="_blank" size="sm">
                  open the public page
                </Anchor>
              </>
            )}
          </Text>
          <Text size="sm">
            Last changed <Time value={p.updatedAt} />
            {p.updatedByName && ` by ${p.updatedByName}`}
          </Text>
        </Stack>
      )}
      {mayPublish && publication.data !== undefined && (
        <Button mt="sm" variant="default" size="xs" onClick={open}>
          {p ? 'Edit the public page' : 'Publish a public page'}
        </Button>
      )}
      {!mayPublish && p === null && (
        <Alert mt="sm" color="gray">
          The system's owner or an admin can publish it.
        </Alert>
      )}
      <Modal opened={opened} onClose={close} title="Public transparency page" size="lg">
        <PublicationForm systemId={systemId} current={p ?? null} onDone={close} />
      </Modal>
    </Paper>
  );
}
