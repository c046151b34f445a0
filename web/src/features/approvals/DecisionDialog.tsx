// Approve, reject or ask for changes: the person reads the digest they sign, writes why, and the
// server checks that the digest is still the request's (else `content_changed`: read it again).
import { Button, Code, Modal, Select, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { api, unwrap } from '../../api/client';
import type { Answer, Body } from '../../api/types';
import { ErrorState } from '../../components/states';
import { MIN_RATIONALE, visibleLength } from './model';

type Request = Answer<'getRequest'>;
type QueueItem = Answer<'listQueue'>['items'][number];
export type Decision = Body<'decideApproval'>['decision'];

const VERB: Record<Decision, string> = { approve: 'Approve', reject: 'Reject', request_changes: 'Request changes' };
const TITLE: Record<Decision, string> = {
  approve: 'Approve this request',
  reject: 'Reject this request',
  request_changes: 'Request changes to this request',
};

function DecisionForm({
  request,
  decision,
  steps,
  onDone,
}: {
  request: Request;
  decision: Decision;
  steps: QueueItem[];
  onDone: () => void;
}) {
  const queryClient = useQueryClient();
  const [rationale, setRationale] = useState('');
  const [validUntil, setValidUntil] = useState('');
  const [stepIndex, setStepIndex] = useState<string | null>(steps[0] ? String(steps[0].stepIndex) : null);
  const decide = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/v1/approvals/requests/{id}/decisions', {
          params: { path: { id: request.id } },
          body: {
            decision,
            rationale,
            contentDigest: request.contentDigest,
            ...(stepIndex !== null && steps.length > 1 ? { stepIndex: Number(stepIndex) } : {}),
            ...(decision === 'approve' && validUntil ? { validUntil: new Date(validUntil).toISOString() } : {}),
          },
        }),
      ),
    onSuccess: async (updated) => {
      notifications.show({ color: 'green', message: `${VERB[decision]}: your decision is recorded (request is ${updated.status})` });
      queryClient.setQueryData(['approvals', 'request', request.id], updated);
      await queryClient.invalidateQueries({ queryKey: ['approvals'] });
      onDone();
    },
  });
  const onBehalf = steps.find((s) => String(s.stepIndex) === stepIndex)?.onBehalfOfName;
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        decide.mutate();
      }}
    >
      <Stack>
        {decide.isError && <ErrorState error={decide.error} title="Your decision was not recorded" />}
        <Text size="sm">
          You decide on revision {request.revision} of “{request.title}”, whose content has the SHA-256 digest
        </Text>
        <Code block aria-label="Digest you sign">
          {request.contentDigest}
        </Code>
        {steps.length > 1 && (
          <Select
            label="Step you fill"
            allowDeselect={false}
            data={steps.map((s) => ({
              value: String(s.stepIndex),
              label: s.onBehalfOf ? `${s.stepName} (for ${s.onBehalfOfName ?? s.onBehalfOf})` : s.stepName,
            }))}
            value={stepIndex}
            onChange={setStepIndex}
          />
        )}
        {onBehalf && steps.length === 1 && <Text size="sm">You decide on behalf of {onBehalf}, who delegated to you.</Text>}
        <Textarea
          label="Rationale"
          description={`Why you decide so: at least ${MIN_RATIONALE} visible characters (${visibleLength(rationale)} so far)`}
          required
          autosize
          minRows={3}
          data-autofocus
          value={rationale}
          onChange={(e) => setRationale(e.currentTarget.value)}
        />
        {decision === 'approve' && (
          <TextInput
            label="Approval valid until"
            description="Optional: the approval expires then and must be renewed"
            type="datetime-local"
            value={validUntil}
            onChange={(e) => setValidUntil(e.currentTarget.value)}
          />
        )}
        <Button
          type="submit"
          color={decision === 'reject' ? 'red' : undefined}
          loading={decide.isPending}
          disabled={visibleLength(rationale) < MIN_RATIONALE}
        >
          {VERB[decision]}
        </Button>
      </Stack>
    </form>
  );
}

export function DecisionDialog({
  request,
  decision,
  steps,
  onClose,
}: {
  request: Request;
  decision: Decision | null;
  steps: QueueItem[];
  onClose: () => void;
}) {
  // The title stays while the dialog fades out, so it is never a dialog without a name.
  const shown = useRef<Decision>('approve');
  if (decision) shown.current = decision;
  return (
    <Modal opened={decision !== null} onClose={onClose} title={TITLE[shown.current]} size="lg">
      {decision && <DecisionForm request={request} decision={decision} steps={steps} onDone={onClose} />}
    </Modal>
  );
}
