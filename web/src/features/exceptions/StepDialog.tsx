// One dialog for every step of an exception's life: the fields the step needs (a rationale held to
// the server's rule, a person, a due date, evidence), the server's refusal shown with its code.
import { Alert, Button, Group, Modal, Select, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { ApiError } from '../../api/client';
import { PersonPicker } from '../systems/PersonPicker';
import { rationaleError } from '../systems/rationale';

export interface StepField {
  name: string;
  label: string;
  kind: 'rationale' | 'text' | 'textarea' | 'person' | 'datetime' | 'select';
  description?: string;
  options?: Array<{ value: string; label: string }>;
  initial?: string;
  optional?: boolean;
}

export type StepValues = Record<string, string>;

/** The server's refusal, with its stable code. */
export function Refusal({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <Alert color="red" role="alert" title="Refused">
      {error instanceof Error ? error.message : String(error)}
      {error instanceof ApiError && (
        <Text size="xs" mt={4}>
          code: <code>{error.code}</code>
        </Text>
      )}
    </Alert>
  );
}

export function StepDialog({
  title,
  fields,
  submitLabel,
  onClose,
  submit,
  children,
}: {
  title: string;
  fields: StepField[];
  submitLabel: string;
  onClose: () => void;
  submit: (values: StepValues) => Promise<unknown>;
  children?: ReactNode;
}) {
  const queryClient = useQueryClient();
  const form = useForm<StepValues>({
    initialValues: Object.fromEntries(fields.map((f) => [f.name, f.initial ?? ''])),
    validate: Object.fromEntries(
      fields.map((f) => [
        f.name,
        (value: string) =>
          f.kind === 'rationale' ? rationaleError(value) : f.optional || value.trim() !== '' ? null : `${f.label}: required`,
      ]),
    ),
  });
  const save = useMutation({
    mutationFn: submit,
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['exceptions'] });
      notifications.show({ color: 'green', message: `${title}: done` });
      onClose();
    },
  });
  return (
    <Modal opened onClose={onClose} title={title} closeButtonProps={{ 'aria-label': 'Close' }} size="lg">
      <form onSubmit={form.onSubmit((values) => save.mutate(values))} noValidate>
        <Stack>
          {children}
          {fields.map((f) => {
            const props = { label: f.label, description: f.description, required: !f.optional, ...form.getInputProps(f.name) };
            switch (f.kind) {
              case 'rationale':
              case 'textarea':
                return <Textarea key={f.name} autosize minRows={2} {...props} />;
              case 'person':
                return (
                  <PersonPicker
                    key={f.name}
                    {...props}
                    value={form.values[f.name] || null}
                    onChange={(v) => form.setFieldValue(f.name, v ?? '')}
                  />
                );
              case 'select':
                return <Select key={f.name} data={f.options ?? []} allowDeselect={false} {...props} />;
              case 'datetime':
                return <TextInput key={f.name} type="datetime-local" {...props} />;
              default:
                return <TextInput key={f.name} {...props} />;
            }
          })}
          <Refusal error={save.error} />
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

/** A `datetime-local` value (the viewer's zone) as an ISO instant. */
export const isoFromLocal = (value: string) => new Date(value).toISOString();

/** A `datetime-local` value `days` from now, for a form's default. */
export function localIn(days: number): string {
  const d = new Date(Date.now() + days * 86_400_000);
  d.setSeconds(0, 0);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}
