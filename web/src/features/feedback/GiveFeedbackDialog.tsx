// The "Give feedback" form: a system, a category, what happened, and the decision it concerns
// when known (the server checks that the decision is the system's).
import { Button, Group, Modal, Select, Stack, Textarea, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { SystemPicker } from '../../components/SystemPicker';
import { FEEDBACK_CATEGORIES } from '../../routes/feedback.routes';
import { Refusal } from '../exceptions/StepDialog';
import { options } from '../systems/labels';

export function GiveFeedbackDialog({ systemId, onClose }: { systemId?: string; onClose: () => void }) {
  const queryClient = useQueryClient();
  const form = useForm({
    initialValues: {
      systemId: (systemId ?? null) as string | null,
      category: 'error' as (typeof FEEDBACK_CATEGORIES)[number],
      summary: '',
      details: '',
      decisionId: '',
    },
    validate: {
      systemId: (v) => (v ? null : 'Choose the AI system'),
      summary: (v) => (v.trim() ? null : 'Say in a line what it is about'),
      details: (v) => (v.trim() ? null : 'Describe what happened'),
    },
  });
  const save = useMutation({
    mutationFn: (v: typeof form.values) =>
      unwrap(
        api.POST('/api/v1/feedback', {
          body: {
            systemId: v.systemId ?? '',
            category: v.category,
            summary: v.summary,
            details: v.details,
            ...(v.decisionId.trim() ? { decisionId: v.decisionId.trim() } : {}),
          },
        }),
      ),
    onSuccess: async (created) => {
      await queryClient.invalidateQueries({ queryKey: ['feedback'] });
      notifications.show({ color: 'green', message: `Feedback recorded: ${created.summary}` });
      onClose();
    },
  });
  return (
    <Modal opened onClose={onClose} title="Give feedback" closeButtonProps={{ 'aria-label': 'Close' }} size="lg">
      <form onSubmit={form.onSubmit((v) => save.mutate(v))} noValidate>
        <Stack>
          <SystemPicker
            label="AI system"
            required
            {...form.getInputProps('systemId')}
            value={form.values.systemId}
            onChange={(v) => form.setFieldValue('systemId', v)}
          />
          <Select label="Category" required allowDeselect={false} data={options(FEEDBACK_CATEGORIES)} {...form.getInputProps('category')} />
          <TextInput label="Summary" required maxLength={200} {...form.getInputProps('summary')} />
          <Textarea label="What happened" required autosize minRows={3} maxLength={4000} {...form.getInputProps('details')} />
          <TextInput
            label="Decision id"
            description="The decision it concerns, as the system recorded it (optional)"
            {...form.getInputProps('decisionId')}
          />
          <Refusal error={save.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending}>
              Send feedback
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
