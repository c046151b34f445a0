// Proposing a change of one Annex A control's entry: applicable or excluded, and why. It opens a
// soa_change approval request (POST /api/v1/controls/soa/change-requests); nothing changes until
// its chain completes. The server holds the same rules (an Annex A control, the justification and
// the rationale of at least the minimum length) and has the last word.
import { Button, Modal, SegmentedControl, Select, Stack, Text, Textarea } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import type { Answer } from '../../api/types';
import { ErrorState } from '../../components/states';
import { MIN_RATIONALE, visibleLength } from '../approvals/model';

type Entry = Answer<'loadSoa'>['entries'][number];

export function ProposeSoaChangeDialog({
  opened,
  entries,
  onClose,
  onOpened,
}: {
  opened: boolean;
  entries: Entry[];
  onClose: () => void;
  onOpened: (requestId: string) => void;
}) {
  const queryClient = useQueryClient();
  const [controlId, setControlId] = useState<string | null>(null);
  const [applicability, setApplicability] = useState<'applicable' | 'excluded'>('excluded');
  const [justification, setJustification] = useState('');
  const [rationale, setRationale] = useState('');
  const current = entries.find((e) => e.controlId === controlId);

  const propose = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/v1/controls/soa/change-requests', {
          body: {
            entries: [{ controlId: controlId ?? '', applicable: applicability === 'applicable', justification }],
            rationale,
          },
        }),
      ),
    onSuccess: async (created) => {
      await queryClient.invalidateQueries({ queryKey: ['approvals'] });
      notifications.show({ color: 'green', message: 'Your proposal is filed: it applies once its approval chain completes' });
      onOpened(created.id);
    },
  });

  const ready = controlId !== null && visibleLength(justification) >= MIN_RATIONALE && visibleLength(rationale) >= MIN_RATIONALE;
  return (
    <Modal opened={opened} onClose={onClose} title="Propose a change of the Statement of Applicability" size="lg">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (ready) propose.mutate();
        }}
      >
        <Stack>
          {propose.error ? <ErrorState error={propose.error} title="The proposal was refused" /> : null}
          <Text size="sm">
            A governance lead and then top management approve it; until then the Statement of Applicability stays as it is.
          </Text>
          <Select
            label="Annex A control"
            placeholder="Choose a control"
            searchable
            required
            data-autofocus
            data={entries.map((e) => ({ value: e.controlId, label: `${e.controlId.replace(/^iso42001:/, '')} ${e.title}` }))}
            value={controlId}
            onChange={setControlId}
          />
          {current && (
            <Text size="sm" c="dimmed">
              Now: {current.applicable ? 'applicable' : 'excluded'} ({current.justification})
            </Text>
          )}
          <Stack gap={4}>
            <Text size="sm" fw={500} id="soa-applicability-label">
              Applicability
            </Text>
            <SegmentedControl
              aria-labelledby="soa-applicability-label"
              value={applicability}
              onChange={(v) => setApplicability(v as 'applicable' | 'excluded')}
              data={[
                { value: 'applicable', label: 'Applicable' },
                { value: 'excluded', label: 'Excluded' },
              ]}
            />
          </Stack>
          <Textarea
            label="Justification"
            description={`Why the control is ${applicability}: at least ${MIN_RATIONALE} visible characters (${visibleLength(justification)} so far)`}
            required
            autosize
            minRows={2}
            value={justification}
            onChange={(e) => setJustification(e.currentTarget.value)}
          />
          <Textarea
            label="Why the Statement of Applicability changes"
            description={`The request's justification for the approvers: at least ${MIN_RATIONALE} visible characters (${visibleLength(rationale)} so far)`}
            required
            autosize
            minRows={2}
            value={rationale}
            onChange={(e) => setRationale(e.currentTarget.value)}
          />
          <Button type="submit" loading={propose.isPending} disabled={!ready}>
            File the proposal
          </Button>
        </Stack>
      </form>
    </Modal>
  );
}
