// A dialog that asks why before an action that needs a written reason (withdraw, emergency change).
import { Button, Modal, Stack, Text, Textarea } from '@mantine/core';
import { type ReactNode, useState } from 'react';
import { ErrorState } from '../../components/states';
import { MIN_RATIONALE, visibleLength } from './model';

export function ReasonDialog({
  opened,
  title,
  explanation,
  submitLabel,
  color,
  pending,
  error,
  onSubmit,
  onClose,
}: {
  opened: boolean;
  title: string;
  explanation: ReactNode;
  submitLabel: string;
  color?: string;
  pending: boolean;
  error: unknown;
  onSubmit: (reason: string) => void;
  onClose: () => void;
}) {
  const [reason, setReason] = useState('');
  return (
    <Modal opened={opened} onClose={onClose} title={title} size="lg">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          onSubmit(reason);
        }}
      >
        <Stack>
          {error ? <ErrorState error={error} title={`${submitLabel}: refused`} /> : null}
          <Text size="sm">{explanation}</Text>
          <Textarea
            label="Reason"
            description={`At least ${MIN_RATIONALE} visible characters (${visibleLength(reason)} so far)`}
            required
            autosize
            minRows={3}
            data-autofocus
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
          />
          <Button type="submit" color={color} loading={pending} disabled={visibleLength(reason) < MIN_RATIONALE}>
            {submitLabel}
          </Button>
        </Stack>
      </form>
    </Modal>
  );
}
