// Registering a system: what it is for, how it is deployed, who is accountable for it, and who owns
// each lifecycle phase (each with the rationale the API asks for). The system is created first,
// then each phase owner is named; a refusal is shown with the server's code.
import { ActionIcon, Alert, Button, Group, Modal, Select, SimpleGrid, Stack, TagsInput, Text, Textarea, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { randomId } from '@mantine/hooks';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { ApiError, api, unwrap } from '../../api/client';
import type { Body } from '../../api/types';
import { AI_TYPES, KINDS, TIERS } from '../../routes/systems.routes';
import { humanize, options, PHASES } from './labels';
import { PersonPicker } from './PersonPicker';
import { rationaleError } from './rationale';

interface PhaseOwnerRow {
  /** Stable React key of the row. */
  key: string;
  phase: string | null;
  userId: string | null;
  rationale: string;
}

interface Values {
  name: string;
  purpose: string;
  intendedUse: string;
  description: string;
  aiType: string;
  deploymentKind: string;
  euRiskTier: string;
  tags: string[];
  accountableOwnerId: string | null;
  phaseOwners: PhaseOwnerRow[];
}

class PartlyDone extends Error {
  constructor(
    readonly systemId: string,
    readonly cause: unknown,
    phase: string,
  ) {
    super(`The system was registered, but the owner of the ${humanize(phase)} phase was not named`);
  }
}

async function register(values: Values): Promise<string> {
  const body: Body<'createSystem'> = {
    name: values.name.trim(),
    purpose: values.purpose.trim(),
    intendedUse: values.intendedUse.trim(),
    description: values.description.trim() || undefined,
    aiType: values.aiType as Body<'createSystem'>['aiType'],
    deploymentKind: values.deploymentKind as Body<'createSystem'>['deploymentKind'],
    euRiskTier: values.euRiskTier as Body<'createSystem'>['euRiskTier'],
    tags: values.tags,
    accountableOwnerId: values.accountableOwnerId,
  };
  const system = await unwrap(api.POST('/api/v1/systems', { body }));
  for (const row of values.phaseOwners) {
    const phase = row.phase as (typeof PHASES)[number];
    try {
      await unwrap(
        api.PUT('/api/v1/systems/{id}/phase-owners/{phase}', {
          params: { path: { id: system.id, phase } },
          body: { userId: row.userId as string, rationale: row.rationale },
        }),
      );
    } catch (error) {
      throw new PartlyDone(system.id, error, phase);
    }
  }
  return system.id;
}

export function CreateSystemDialog({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const form = useForm<Values>({
    initialValues: {
      name: '',
      purpose: '',
      intendedUse: '',
      description: '',
      aiType: 'machine_learning',
      deploymentKind: 'internal',
      euRiskTier: 'unassessed',
      tags: [],
      accountableOwnerId: null,
      phaseOwners: [],
    },
    validate: {
      name: (v) => (v.trim() ? null : 'Name the system'),
      purpose: (v) => (v.trim() ? null : 'Say what the system is for'),
      intendedUse: (v) => (v.trim() ? null : 'Say how it is meant to be used'),
      accountableOwnerId: (v) => (v ? null : 'Name the accountable owner: a person, not a team'),
      phaseOwners: {
        phase: (v, values) =>
          !v ? 'Choose a phase' : values.phaseOwners.filter((r) => r.phase === v).length > 1 ? 'Each phase has one owner' : null,
        userId: (v) => (v ? null : 'Choose the owner'),
        rationale: (v) => rationaleError(v),
      },
    },
  });
  const create = useMutation({
    mutationFn: register,
    onSuccess: async (id) => {
      await queryClient.invalidateQueries({ queryKey: ['systems'] });
      form.reset();
      onClose();
      await navigate({ to: '/systems/$systemId', params: { systemId: id } });
    },
    onError: async (error) => {
      if (error instanceof PartlyDone) await queryClient.invalidateQueries({ queryKey: ['systems'] });
    },
  });
  const error = create.error;
  const cause = error instanceof PartlyDone ? error.cause : error;
  return (
    <Modal opened={opened} onClose={onClose} closeButtonProps={{ 'aria-label': 'Close' }} title="Register an AI system" size="xl">
      <form onSubmit={form.onSubmit((values) => create.mutate(values))} noValidate>
        <Stack>
          <TextInput label="Name" required {...form.getInputProps('name')} />
          <Textarea
            label="Purpose"
            description="What the system does and why"
            required
            autosize
            minRows={2}
            {...form.getInputProps('purpose')}
          />
          <Textarea
            label="Intended use"
            description="Who uses it, for what decisions, and what it must not be used for"
            required
            autosize
            minRows={2}
            {...form.getInputProps('intendedUse')}
          />
          <Textarea label="Description" autosize minRows={1} {...form.getInputProps('description')} />
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <Select label="Kind of AI" data={options(AI_TYPES)} allowDeselect={false} {...form.getInputProps('aiType')} />
            <Select label="Deployment" data={options(KINDS)} allowDeselect={false} {...form.getInputProps('deploymentKind')} />
            <Select label="EU risk tier" data={options(TIERS)} allowDeselect={false} {...form.getInputProps('euRiskTier')} />
          </SimpleGrid>
          <TagsInput label="Tags" description="Press Enter after each tag" {...form.getInputProps('tags')} />
          <PersonPicker label="Accountable owner" required {...form.getInputProps('accountableOwnerId')} />
          <Stack gap="xs">
            <Group justify="space-between">
              <Text fw={600} size="sm">
                Phase owners
              </Text>
              <Button
                variant="light"
                size="xs"
                onClick={() => form.insertListItem('phaseOwners', { key: randomId(), phase: null, userId: null, rationale: '' })}
                disabled={form.values.phaseOwners.length >= PHASES.length}
              >
                Add a phase owner
              </Button>
            </Group>
            {form.values.phaseOwners.length === 0 && (
              <Text size="sm" c="dimmed">
                Optional: name who owns design, data intake, validation, operation and the other phases.
              </Text>
            )}
            {form.values.phaseOwners.map((row, index) => (
              <Stack key={row.key} gap={4} p="xs" style={{ border: '1px solid var(--mantine-color-default-border)', borderRadius: 4 }}>
                <Group align="flex-end" wrap="nowrap">
                  <Select
                    label={`Phase ${index + 1}`}
                    data={options(PHASES)}
                    style={{ flex: 1 }}
                    required
                    {...form.getInputProps(`phaseOwners.${index}.phase`)}
                  />
                  <div style={{ flex: 2 }}>
                    <PersonPicker label={`Owner of phase ${index + 1}`} required {...form.getInputProps(`phaseOwners.${index}.userId`)} />
                  </div>
                  <ActionIcon
                    variant="default"
                    size="lg"
                    aria-label={`Remove phase owner ${index + 1}`}
                    onClick={() => form.removeListItem('phaseOwners', index)}
                  >
                    <span aria-hidden="true">×</span>
                  </ActionIcon>
                </Group>
                <Textarea
                  label={`Why this person owns phase ${index + 1}`}
                  required
                  autosize
                  minRows={1}
                  {...form.getInputProps(`phaseOwners.${index}.rationale`)}
                />
              </Stack>
            ))}
          </Stack>
          {error && (
            <Alert color="red" role="alert" title={error instanceof PartlyDone ? error.message : 'The system was not registered'}>
              {cause instanceof Error ? cause.message : String(cause)}
              {cause instanceof ApiError && (
                <Text size="xs" mt={4}>
                  code: <code>{cause.code}</code>
                </Text>
              )}
              {error instanceof PartlyDone && (
                <Button
                  mt="xs"
                  size="xs"
                  variant="default"
                  onClick={() => navigate({ to: '/systems/$systemId', params: { systemId: error.systemId } })}
                >
                  Open the registered system
                </Button>
              )}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending}>
              Register system
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
