// One published AI system's transparency page, and the form to challenge a decision it took part
// in. It shows only what the organisation published; the appellant needs the public reference only.
import { Alert, Anchor, Button, Card, Code, CopyButton, Group, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useEffect } from 'react';
import { ApiError, api, unwrap } from '../../api/client';
import type { Answer } from '../../api/types';
import { ErrorState, Loading } from '../../components/states';
import { Time } from '../../components/Time';
import { publicSystemRoute } from '../../routes/public.routes';
import { RuntimeStateBadge } from './RuntimeStateBadge';

type Receipt = Answer<'submitPublicAppeal'>;

function Section({ title, children }: { title: string; children: string }) {
  return (
    <Stack gap={4}>
      <Title order={2} size="h4">
        {title}
      </Title>
      <Text style={{ whiteSpace: 'pre-wrap' }}>{children}</Text>
    </Stack>
  );
}

/** Visible characters, as the server counts a statement (spaces and invisible characters do not count). */
const visibleLength = (text: string) => [...text.normalize('NFC').replace(/[\s\p{C}]/gu, '')].length;

function AppealForm({ systemRef }: { systemRef: string }) {
  const form = useForm({
    initialValues: { decisionId: '', statement: '', name: '', contact: '' },
    validate: {
      decisionId: (v) => (v.trim() ? null : 'The reference of the decision, as you received it'),
      statement: (v) => (visibleLength(v) >= 10 ? null : 'Say why you challenge the decision (at least 10 characters)'),
    },
  });
  const file = useMutation({
    mutationFn: (v: typeof form.values) =>
      unwrap(
        api.POST('/api/v1/public/appeals', {
          body: {
            systemRef,
            decisionId: v.decisionId.trim(),
            statement: v.statement,
            ...(v.name.trim() ? { name: v.name.trim() } : {}),
            ...(v.contact.trim() ? { contact: v.contact.trim() } : {}),
          },
        }),
      ),
  });
  if (file.data) return <AppealReceipt receipt={file.data} />;
  return (
    <form onSubmit={form.onSubmit((v) => file.mutate(v))} noValidate>
      <Stack>
        {file.isError && (
          <Alert color="red" role="alert" title="Your appeal was not filed">
            {file.error.message}
            {file.error instanceof ApiError && file.error.code === 'rate_limited' && ' Please try again later.'}
          </Alert>
        )}
        <TextInput
          label="Decision reference"
          description="As given in the decision you received"
          required
          {...form.getInputProps('decisionId')}
        />
        <Textarea label="Why you challenge it" autosize minRows={4} required {...form.getInputProps('statement')} />
        <TextInput label="Your name (optional)" autoComplete="name" {...form.getInputProps('name')} />
        <TextInput label="How to reach you with the answer (optional)" autoComplete="email" {...form.getInputProps('contact')} />
        <Button type="submit" loading={file.isPending}>
          File my appeal
        </Button>
      </Stack>
    </form>
  );
}

function AppealReceipt({ receipt }: { receipt: Receipt }) {
  const statusLink = `/public/cases/${encodeURIComponent(receipt.caseNumber)}#secret=${encodeURIComponent(receipt.secret)}`;
  return (
    <Alert color="green" title="Your appeal is filed" role="status">
      <Stack gap="xs">
        <Text>
          Case number <b data-testid="case-number">{receipt.caseNumber}</b>. A person will answer by <Time value={receipt.dueAt} />.
        </Text>
        <Text>Keep this link: with it you can follow your case. It holds a secret only you have; we cannot show it again.</Text>
        <Code block>{`${window.location.origin}${statusLink}`}</Code>
        <Group gap="xs">
          <CopyButton value={`${window.location.origin}${statusLink}`}>
            {({ copied, copy }) => (
              <Button variant="default" onClick={copy}>
                {copied ? 'Copied' : 'Copy the link'}
              </Button>
            )}
          </CopyButton>
          <Button component="a" href={statusLink} variant="subtle">
            Follow my case
          </Button>
        </Group>
      </Stack>
    </Alert>
  );
}

export function PublicSystemPage() {
  const { ref } = publicSystemRoute.useParams();
  const system = useQuery({
    queryKey: ['public', 'system', ref],
    queryFn: () => unwrap(api.GET('/api/v1/public/systems/{ref}', { params: { path: { ref } } })),
  });
  useEffect(() => {
    if (system.data) document.title = `${system.data.name}: how we use it`;
  }, [system.data]);
  if (system.isPending) return <Loading />;
  if (system.isError) {
    return (
      <Stack>
        <ErrorState
          error={system.error}
          title={system.error instanceof ApiError && system.error.status === 404 ? 'No published AI system has this reference' : undefined}
        />
        <Anchor component={Link} to="/public">
          See the AI systems we use
        </Anchor>
      </Stack>
    );
  }
  const s = system.data;
  return (
    <Stack gap="lg">
      <Stack gap={4}>
        <Group justify="space-between" align="flex-start">
          <Title order={1}>{s.name}</Title>
          <RuntimeStateBadge state={s.state} />
        </Group>
        <Text size="sm">
          Public reference <b>{s.ref}</b> · published <Time value={s.publishedAt} />, last updated <Time value={s.updatedAt} />
        </Text>
      </Stack>
      <Section title="What it does">{s.whatItDoes}</Section>
      <Section title="What it does not do">{s.whatItDoesNot}</Section>
      <Section title="Does a person review its outputs?">{s.humanReview}</Section>
      <Section title="Who oversees it">{s.overseenBy}</Section>
      <Section title="How to challenge a decision">{s.howToChallenge}</Section>
      <Card withBorder padding="lg">
        <Title order={2} size="h3" mb="sm">
          Challenge a decision
        </Title>
        <AppealForm systemRef={s.ref} />
      </Card>
    </Stack>
  );
}
