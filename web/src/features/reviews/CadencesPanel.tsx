// A system's review cadences: each mandatory kind's months between reviews, and whether that is
// the default for the system's risk tier or the system's own. Governance leads and admins change
// one (with a rationale, kept in the ledger); the server refuses anyone else.
import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Group,
  Modal,
  NumberInput,
  Paper,
  Select,
  Stack,
  Table,
  Text,
  Textarea,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError, api, unwrap } from '../../api/client';
import { holds, useSession } from '../../api/session';
import { ErrorState, Loading } from '../../components/states';
import { MIN_RATIONALE, rationaleError, visibleLength } from '../systems/rationale';
import { type Cadence, cadenceSource, cadenceText } from './model';

/** Who may set a cadence (the route's access rule: admin, governance_lead). */
export const CADENCE_SETTERS = ['admin', 'governance_lead'];
const KIND_LABEL: Record<Cadence['kind'], string> = { fairness: 'Fairness', performance: 'Performance', risk: 'Risk' };

export const cadencesQueryKey = (systemId: string) => ['reviews', 'cadences', systemId];

function ChangeCadenceDialog({
  systemId,
  cadences,
  initialKind,
  opened,
  onClose,
}: {
  systemId: string;
  cadences: Cadence[];
  initialKind: Cadence['kind'];
  opened: boolean;
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const current = (kind: string) => cadences.find((c) => c.kind === kind);
  const form = useForm({
    initialValues: {
      kind: initialKind as string,
      months: (current(initialKind)?.months ?? 0) as number | string,
      toDefault: false,
      rationale: '',
    },
    validate: {
      months: (value, values) =>
        values.toDefault || (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 60)
          ? null
          : 'A whole number of months from 0 to 60',
      rationale: rationaleError,
    },
  });
  const save = useMutation({
    mutationFn: (values: typeof form.values) =>
      unwrap(
        api.PUT('/api/v1/systems/{id}/review-cadences/{kind}', {
          params: { path: { id: systemId, kind: values.kind as Cadence['kind'] } },
          body: { months: values.toDefault ? null : Number(values.months), rationale: values.rationale },
        }),
      ),
    onSuccess: (answer, values) => {
      queryClient.setQueryData(cadencesQueryKey(systemId), answer);
      notifications.show({ color: 'green', message: `${KIND_LABEL[values.kind as Cadence['kind']]} cadence changed` });
      form.reset();
      onClose();
    },
  });
  return (
    <Modal opened={opened} onClose={onClose} title="Change cadence" closeButtonProps={{ 'aria-label': 'Close' }}>
      <form onSubmit={form.onSubmit((values) => save.mutate(values))} noValidate>
        <Stack>
          <Select
            label="Kind of review"
            required
            allowDeselect={false}
            data={cadences.map((c) => ({ value: c.kind, label: KIND_LABEL[c.kind] }))}
            {...form.getInputProps('kind')}
            onChange={(value) => {
              form.setFieldValue('kind', value ?? initialKind);
              form.setFieldValue('months', current(value ?? initialKind)?.months ?? 0);
            }}
          />
          <Checkbox label="Back to the default for the system's risk tier" {...form.getInputProps('toDefault', { type: 'checkbox' })} />
          <NumberInput
            label="Months between reviews"
            description="0 stops scheduling this kind for the system"
            min={0}
            max={60}
            allowDecimal={false}
            disabled={form.values.toDefault}
            required={!form.values.toDefault}
            data-autofocus
            {...form.getInputProps('months')}
          />
          <Textarea
            label="Rationale"
            description={`Kept in the ledger with the change; at least ${MIN_RATIONALE} visible characters (${visibleLength(form.values.rationale)} so far)`}
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
              Change cadence
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

export function CadencesPanel({ systemId, tier }: { systemId: string; tier: string }) {
  const session = useSession();
  const maySet = holds(session, CADENCE_SETTERS);
  const [editing, setEditing] = useState<Cadence['kind'] | null>(null);
  const cadences = useQuery({
    queryKey: cadencesQueryKey(systemId),
    queryFn: () => unwrap(api.GET('/api/v1/systems/{id}/review-cadences', { params: { path: { id: systemId } } })),
  });
  return (
    <Paper withBorder p="sm" component="section" aria-labelledby="cadences-title">
      <Group justify="space-between" mb="xs">
        <Title order={2} size="h4" id="cadences-title">
          Review cadences
        </Title>
        {maySet && cadences.data && (
          <Button variant="default" size="xs" onClick={() => setEditing(cadences.data.cadences[0]?.kind ?? 'fairness')}>
            Change cadence
          </Button>
        )}
      </Group>
      {cadences.isError ? (
        <ErrorState error={cadences.error} title="The cadences could not be loaded" />
      ) : !cadences.data ? (
        <Loading label="Loading the cadences…" />
      ) : cadences.data.cadences.length === 0 ? (
        <Text size="sm">No mandatory review kind is configured.</Text>
      ) : (
        <Table aria-label="Review cadences">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Kind</Table.Th>
              <Table.Th>Cadence</Table.Th>
              <Table.Th>Set by</Table.Th>
              <Table.Th>Why</Table.Th>
              {maySet && (
                <Table.Th>
                  <VisuallyHidden>Action</VisuallyHidden>
                </Table.Th>
              )}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {cadences.data.cadences.map((c) => (
              <Table.Tr key={c.kind}>
                <Table.Td>{KIND_LABEL[c.kind]}</Table.Td>
                <Table.Td>{cadenceText(c.months)}</Table.Td>
                <Table.Td>
                  <Badge variant="light" color={c.source === 'system' ? 'blue' : 'gray'} c="var(--mantine-color-text)" tt="none">
                    {cadenceSource(c, tier)}
                  </Badge>
                </Table.Td>
                <Table.Td>{c.rationale ?? '—'}</Table.Td>
                {maySet && (
                  <Table.Td>
                    <Button
                      variant="subtle"
                      size="compact-sm"
                      onClick={() => setEditing(c.kind)}
                      aria-label={`Change the ${c.kind} cadence`}
                    >
                      Change
                    </Button>
                  </Table.Td>
                )}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {maySet && cadences.data && editing && (
        <ChangeCadenceDialog
          key={editing}
          systemId={systemId}
          cadences={cadences.data.cadences}
          initialKind={editing}
          opened
          onClose={() => setEditing(null)}
        />
      )}
    </Paper>
  );
}
