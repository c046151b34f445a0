// Raising an exception, or reporting an incident (an exception of kind incident with its harm and
// the flags that decide which authorities must hear of it, and by when).
import { Button, Checkbox, Group, Modal, MultiSelect, Select, Stack, Textarea, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { api, unwrap } from '../../api/client';
import { useSession } from '../../api/session';
import type { Body } from '../../api/types';
import { SystemPicker } from '../../components/SystemPicker';
import { EXCEPTION_KINDS, SEVERITIES } from '../../routes/exceptions.routes';
import { humanize, options } from '../systems/labels';
import { PersonPicker } from '../systems/PersonPicker';
import { rationaleError } from '../systems/rationale';
import { isoFromLocal, Refusal } from './StepDialog';

type HarmCategory = NonNullable<Body<'openIncident'>['incident']['harmCategories']>[number];
const HARMS: HarmCategory[] = [
  'health_safety',
  'fundamental_rights',
  'property_environment',
  'critical_infrastructure',
  'personal_data_breach',
  'ict_major',
  'death',
];

export function RaiseDialog({ incident, onClose }: { incident: boolean; onClose: () => void }) {
  const session = useSession();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const form = useForm({
    initialValues: {
      systemId: null as string | null,
      kind: 'deviation' as (typeof EXCEPTION_KINDS)[number],
      title: '',
      description: '',
      severity: 'medium' as (typeof SEVERITIES)[number],
      ownerId: session.user.id as string | null,
      resolverId: session.user.id as string | null,
      harmCategories: [] as HarmCategory[],
      awareAt: '',
      personalDataBreach: false,
      doraMajor: false,
      widespreadInfringement: false,
    },
    validate: {
      systemId: (v) => (v ? null : 'Choose the AI system'),
      title: (v) => (v.trim() ? null : 'Give it a title'),
      description: rationaleError,
      ownerId: (v) => (v ? null : 'Choose the owner'),
      resolverId: (v) => (v ? null : 'Choose the resolver'),
    },
  });
  const save = useMutation({
    mutationFn: async (v: typeof form.values) => {
      const common = {
        systemId: v.systemId ?? '',
        title: v.title,
        description: v.description,
        severity: v.severity,
        raisedBy: { type: 'person' as const, ref: session.user.id },
        ownerId: v.ownerId ?? '',
        resolverId: v.resolverId ?? '',
      };
      if (!incident) return unwrap(api.POST('/api/v1/exceptions', { body: { ...common, kind: v.kind } }));
      return unwrap(
        api.POST('/api/v1/incidents', {
          body: {
            ...common,
            incident: {
              harmCategories: v.harmCategories,
              ...(v.awareAt ? { awareAt: isoFromLocal(v.awareAt) } : {}),
              personalDataBreach: v.personalDataBreach,
              doraMajor: v.doraMajor,
              widespreadInfringement: v.widespreadInfringement,
            },
          },
        }),
      );
    },
    onSuccess: async (created) => {
      await queryClient.invalidateQueries({ queryKey: ['exceptions'] });
      notifications.show({ color: 'green', message: `${incident ? 'Incident reported' : 'Exception raised'}: ${created.title}` });
      onClose();
      if (incident) await navigate({ to: '/incidents/$incidentId', params: { incidentId: created.id } });
      else await navigate({ to: '/exceptions/$exceptionId', params: { exceptionId: created.id } });
    },
  });
  const title = incident ? 'Report an incident' : 'Raise an exception';
  return (
    <Modal opened onClose={onClose} title={title} closeButtonProps={{ 'aria-label': 'Close' }} size="lg">
      <form onSubmit={form.onSubmit((v) => save.mutate(v))} noValidate>
        <Stack>
          <SystemPicker
            label="AI system"
            required
            {...form.getInputProps('systemId')}
            value={form.values.systemId}
            onChange={(v) => form.setFieldValue('systemId', v)}
          />
          {!incident && (
            <Select
              label="Kind"
              required
              allowDeselect={false}
              data={options(EXCEPTION_KINDS.filter((k) => k !== 'incident'))}
              {...form.getInputProps('kind')}
            />
          )}
          <TextInput label="Title" required {...form.getInputProps('title')} />
          <Textarea
            label="What happened"
            description="Kept in the ledger; at least 10 visible characters"
            required
            autosize
            minRows={3}
            {...form.getInputProps('description')}
          />
          <Select label="Severity" required allowDeselect={false} data={options(SEVERITIES)} {...form.getInputProps('severity')} />
          <Group grow align="flex-start">
            <PersonPicker label="Owner" required {...form.getInputProps('ownerId')} />
            <PersonPicker
              label="Resolver"
              description="Fixes it; someone else must verify the fix"
              required
              {...form.getInputProps('resolverId')}
            />
          </Group>
          {incident && (
            <>
              <MultiSelect
                label="Harm"
                data={HARMS.map((h) => ({ value: h, label: humanize(h) }))}
                {...form.getInputProps('harmCategories')}
              />
              <TextInput
                type="datetime-local"
                label="Aware since"
                description="When the organisation became aware; deadlines count from it (now when empty)"
                {...form.getInputProps('awareAt')}
              />
              <Checkbox label="Personal data breach (GDPR Art. 33)" {...form.getInputProps('personalDataBreach', { type: 'checkbox' })} />
              <Checkbox label="Major ICT-related incident (DORA)" {...form.getInputProps('doraMajor', { type: 'checkbox' })} />
              <Checkbox
                label="Widespread infringement (AI Act Art. 73(3))"
                {...form.getInputProps('widespreadInfringement', { type: 'checkbox' })}
              />
            </>
          )}
          <Refusal error={save.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending}>
              {incident ? 'Report incident' : 'Raise exception'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
