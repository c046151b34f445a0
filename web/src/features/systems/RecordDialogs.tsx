// Registering a model version and recording a data source from a system's page, for those who may
// edit the system (admins, governance leads, its system owner); the server still decides, and its
// refusal is shown with its code. Deploying a version stays an approval request (Approvals).
import { Button, Checkbox, Group, Modal, Stack, Textarea, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { ErrorState } from '../../components/states';

const SHA256 = /^[0-9a-f]{64}$/;

/** What follows a record saved from a dialog: the system's queries refreshed, a notice, the form
 * emptied, the dialog closed. */
function useAfterSaving(systemId: string, onClose: () => void) {
  const queryClient = useQueryClient();
  return async (message: string, reset: () => void) => {
    await queryClient.invalidateQueries({ queryKey: ['systems', systemId] });
    notifications.show({ color: 'green', message });
    reset();
    onClose();
  };
}

export function ModelVersionDialog({ systemId, opened, onClose }: { systemId: string; opened: boolean; onClose: () => void }) {
  const afterSaving = useAfterSaving(systemId, onClose);
  const form = useForm({
    initialValues: { label: '', artifactSha256: '', trainingDataRefs: '', notes: '' },
    validate: {
      label: (v) => (v.trim() ? null : 'Name the version, e.g. 2.4.0'),
      artifactSha256: (v) => (SHA256.test(v.trim().toLowerCase()) ? null : "The artifact's SHA-256: 64 hexadecimal digits"),
    },
  });
  const save = useMutation({
    mutationFn: (v: typeof form.values) => {
      const refs = v.trainingDataRefs
        .split('\n')
        .map((r) => r.trim())
        .filter(Boolean);
      return unwrap(
        api.POST('/api/v1/systems/{id}/model-versions', {
          params: { path: { id: systemId } },
          body: {
            label: v.label.trim(),
            artifactSha256: v.artifactSha256.trim().toLowerCase(),
            ...(refs.length ? { trainingDataRefs: refs } : {}),
            ...(v.notes.trim() ? { notes: v.notes.trim() } : {}),
          },
        }),
      );
    },
    onSuccess: (version) => afterSaving(`Model version ${version.label} registered`, form.reset),
  });
  return (
    <Modal opened={opened} onClose={onClose} closeButtonProps={{ 'aria-label': 'Close' }} title="Register a model version">
      <form onSubmit={form.onSubmit((v) => save.mutate(v))} noValidate>
        <Stack>
          <TextInput label="Version label" required {...form.getInputProps('label')} />
          <TextInput
            label="Artifact SHA-256"
            description="The digest of the model file, as sha256sum prints it"
            required
            ff="monospace"
            {...form.getInputProps('artifactSha256')}
          />
          <Textarea
            label="Training data (optional)"
            description="One reference per line"
            autosize
            minRows={2}
            {...form.getInputProps('trainingDataRefs')}
          />
          <Textarea label="Notes (optional)" autosize minRows={2} {...form.getInputProps('notes')} />
          {save.error && <ErrorState error={save.error} title="Refused" />}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending}>
              Register the version
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

export function DataSourceDialog({ systemId, opened, onClose }: { systemId: string; opened: boolean; onClose: () => void }) {
  const afterSaving = useAfterSaving(systemId, onClose);
  const form = useForm({
    initialValues: { name: '', kind: '', containsPersonalData: false, provenance: '', rationale: '' },
    validate: {
      name: (v) => (v.trim() ? null : 'Name the data source'),
      kind: (v) => (v.trim() ? null : 'Say what kind of source it is, e.g. database'),
    },
  });
  const save = useMutation({
    mutationFn: (v: typeof form.values) =>
      unwrap(
        api.POST('/api/v1/systems/{id}/data-sources', {
          params: { path: { id: systemId } },
          body: {
            name: v.name.trim(),
            kind: v.kind.trim(),
            containsPersonalData: v.containsPersonalData,
            ...(v.provenance.trim() ? { provenance: v.provenance.trim() } : {}),
            ...(v.rationale.trim() ? { rationale: v.rationale.trim() } : {}),
          },
        }),
      ),
    onSuccess: (source) => afterSaving(`Data source ${source.name} recorded`, form.reset),
  });
  return (
    <Modal opened={opened} onClose={onClose} closeButtonProps={{ 'aria-label': 'Close' }} title="Record a data source">
      <form onSubmit={form.onSubmit((v) => save.mutate(v))} noValidate>
        <Stack>
          <TextInput label="Name" required {...form.getInputProps('name')} />
          <TextInput label="Kind" description="database, file, API, vendor dataset, …" required {...form.getInputProps('kind')} />
          <Checkbox label="Contains personal data" {...form.getInputProps('containsPersonalData', { type: 'checkbox' })} />
          <Textarea label="Provenance (optional)" autosize minRows={2} {...form.getInputProps('provenance')} />
          <Textarea
            label="Why (optional)"
            description="Kept on the change record"
            autosize
            minRows={2}
            {...form.getInputProps('rationale')}
          />
          {save.error && <ErrorState error={save.error} title="Refused" />}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending}>
              Record the data source
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
