// Setting a monitor on a system: a metric, how its points are aggregated over a window, the
// comparison and threshold that raise an alert, its severity and owner, and why. Given a monitor, the
// same form changes its rule (the metric stays), guarded by the version it was read at (If-Match).
import { Button, Group, Modal, NumberInput, Select, SimpleGrid, Stack, Textarea, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { useSession } from '../../api/session';
import type { Body } from '../../api/types';
import { ErrorState } from '../../components/states';
import { ALERT_SEVERITIES } from '../../routes/monitoring.routes';
import { PersonPicker } from '../systems/PersonPicker';
import { rationaleError } from '../systems/rationale';
import { durationOf, type Monitor } from './model';

type MonitorBody = Body<'createMonitor'>;
const AGGREGATIONS: MonitorBody['aggregation'][] = ['avg', 'max', 'min', 'sum', 'count', 'last'];
const COMPARISONS: Array<{ value: MonitorBody['comparison']; label: string }> = [
  { value: 'gt', label: 'above (>)' },
  { value: 'gte', label: 'at or above (≥)' },
  { value: 'lt', label: 'below (<)' },
  { value: 'lte', label: 'at or below (≤)' },
];
const WINDOW_SECONDS = [60, 300, 900, 3600, 6 * 3600, 86_400, 7 * 86_400];
const METRIC = /^[A-Za-z_][A-Za-z0-9_.:]{0,99}$/;

export function MonitorDialog({ systemId, monitor, onClose }: { systemId: string; monitor?: Monitor; onClose: () => void }) {
  const session = useSession();
  const queryClient = useQueryClient();
  const form = useForm({
    initialValues: {
      name: monitor?.name ?? '',
      metric: monitor?.metric ?? '',
      aggregation: (monitor?.aggregation ?? 'avg') as MonitorBody['aggregation'],
      comparison: (monitor?.comparison ?? 'gt') as MonitorBody['comparison'],
      threshold: (monitor?.threshold ?? '') as number | string,
      windowSeconds: String(monitor?.windowSeconds ?? 3600),
      severity: (monitor?.severity ?? 'medium') as MonitorBody['severity'],
      ownerId: (monitor?.ownerId ?? session.user.id) as string | null,
      rationale: '',
    },
    validate: {
      name: (v) => (v.trim() ? null : 'Name the monitor'),
      metric: (v) => (METRIC.test(v) ? null : 'A metric name: letters, digits, _ . : (starting with a letter or _)'),
      threshold: (v) => (typeof v === 'number' && Number.isFinite(v) ? null : 'Give the threshold as a number'),
      ownerId: (v) => (v ? null : 'Choose the owner'),
      rationale: rationaleError,
    },
  });
  const save = useMutation({
    mutationFn: (v: typeof form.values) => {
      const rule = {
        name: v.name.trim(),
        aggregation: v.aggregation,
        comparison: v.comparison,
        threshold: Number(v.threshold),
        windowSeconds: Number(v.windowSeconds),
        severity: v.severity,
        ownerId: v.ownerId ?? '',
        rationale: v.rationale,
      };
      if (monitor) {
        return unwrap(
          api.PATCH('/api/v1/monitors/{id}', {
            params: { path: { id: monitor.id }, header: { 'If-Match': `"${monitor.version}"` } },
            body: rule,
          }),
        );
      }
      return unwrap(api.POST('/api/v1/monitors', { body: { systemId, source: 'points', metric: v.metric, ...rule } }));
    },
    onSuccess: async (m) => {
      notifications.show({ color: 'green', message: `Monitor “${m.name}” ${monitor ? 'changed' : 'set'}` });
      await queryClient.invalidateQueries({ queryKey: ['monitors', systemId] });
      onClose();
    },
  });
  return (
    <Modal opened onClose={onClose} title={monitor ? `Change “${monitor.name}”` : 'Set a monitor'} size="lg">
      <form onSubmit={form.onSubmit((v) => save.mutate(v))}>
        <Stack>
          {save.error ? (
            <ErrorState error={save.error} title={monitor ? 'The monitor was not changed' : 'The monitor was not set'} />
          ) : null}
          <TextInput label="Name" required data-autofocus {...form.getInputProps('name')} />
          <TextInput
            label="Metric"
            description={monitor ? 'a monitor on another metric is another monitor' : 'as the points name it, e.g. latency_ms'}
            required
            readOnly={Boolean(monitor)}
            {...form.getInputProps('metric')}
          />
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <Select label="Aggregation" data={AGGREGATIONS} allowDeselect={false} required {...form.getInputProps('aggregation')} />
            <Select
              label="Window"
              data={WINDOW_SECONDS.map((s) => ({ value: String(s), label: durationOf(s) }))}
              allowDeselect={false}
              required
              {...form.getInputProps('windowSeconds')}
            />
            <Select
              label="Alert when the value is"
              data={COMPARISONS}
              allowDeselect={false}
              required
              {...form.getInputProps('comparison')}
            />
            <NumberInput label="Threshold" required decimalScale={6} {...form.getInputProps('threshold')} />
            <Select label="Severity" data={[...ALERT_SEVERITIES]} allowDeselect={false} required {...form.getInputProps('severity')} />
            <PersonPicker label="Owner" required {...form.getInputProps('ownerId')} />
          </SimpleGrid>
          <Textarea
            label={monitor ? 'Why the change' : 'Why this threshold'}
            required
            autosize
            minRows={2}
            {...form.getInputProps('rationale')}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending}>
              {monitor ? 'Save the change' : 'Set the monitor'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
