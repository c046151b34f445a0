// "Check proof" for one ledger entry: fetches its inclusion proof and the ledger's public key, then
// checks both in this browser (proof.ts) against the signed checkpoint, the latest one or one the
// person holds and pastes. Shown only to those who may read proofs (the server refuses the rest).
import { Alert, Anchor, Button, Group, Modal, Stack, Text, Textarea } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError, api, unwrap } from '../../api/client';
import { holds, useSession } from '../../api/session';
import { type Check, type ExpectedEvent, type ProofVerdict, parseCheckpoint, verifyEntry } from './proof';

/** Who may read inclusion proofs (GET /api/v1/ledger/proofs/inclusion). */
export const PROOF_READERS = ['admin', 'auditor', 'governance_lead'] as const;

/** A check's outcome; `pending`: the entry is newer than the latest signed checkpoint (not a failure). */
type Outcome = Check<ProofVerdict> | { ok: 'pending'; reason: string };

async function checkEntry(entry: ExpectedEvent, heldCheckpoint: string | null): Promise<Outcome> {
  let size: number | undefined;
  if (heldCheckpoint !== null) {
    const body = heldCheckpoint.includes('\n\n') ? heldCheckpoint.slice(0, heldCheckpoint.lastIndexOf('\n\n') + 1) : heldCheckpoint;
    const parsed = parseCheckpoint(body);
    if (!parsed.ok) return parsed;
    size = parsed.value.treeSize;
  }
  try {
    const [key, answer] = await Promise.all([
      unwrap(api.GET('/api/v1/ledger/public-key')),
      unwrap(api.GET('/api/v1/ledger/proofs/inclusion', { params: { query: { seq: entry.seq, size } } })),
    ]);
    const checkpoint = heldCheckpoint ?? answer.checkpoint;
    if (!checkpoint) return { ok: 'pending', reason: 'no checkpoint has been signed yet' };
    return verifyEntry(entry, answer, checkpoint, key.verifierKey);
  } catch (error) {
    if (error instanceof ApiError && heldCheckpoint === null && error.code === 'validation_failed' && error.details.field === 'size') {
      return {
        ok: 'pending',
        reason: 'this entry is newer than the latest signed checkpoint; it can be proved once the next one is signed',
      };
    }
    if (error instanceof ApiError) return { ok: false, reason: `${error.message} (${error.code})` };
    throw error;
  }
}

export function ProofCheck({ entry, label }: { entry: ExpectedEvent; label?: string }) {
  const session = useSession();
  const [opened, { open, close }] = useDisclosure(false);
  const [held, setHeld] = useState('');
  const check = useMutation({ mutationFn: (checkpoint: string | null) => checkEntry(entry, checkpoint) });
  if (!holds(session, PROOF_READERS)) return null;
  const verdict = check.data;
  const what = label ? ` of ${label}` : '';
  return (
    <Stack gap={4}>
      <Group gap="xs">
        <Button
          size="compact-xs"
          variant="light"
          onClick={() => check.mutate(null)}
          loading={check.isPending}
          aria-label={`Check proof${what}`}
        >
          Check proof
        </Button>
        <Anchor component="button" type="button" size="xs" onClick={open}>
          against a checkpoint I hold
        </Anchor>
      </Group>
      <div aria-live="polite">
        {verdict?.ok === true && (
          <Text size="xs" c="light-dark(#1b5e2b, var(--mantine-color-green-3))" fw={600} data-proof="verified">
            ✓ Verified in this browser: included in the signed checkpoint of {verdict.value.treeSize} entries (root{' '}
            <code>{verdict.value.rootHash.slice(0, 16)}…</code>)
          </Text>
        )}
        {verdict?.ok === 'pending' && (
          <Text size="xs" fw={600} data-proof="pending">
            … Not provable yet: {verdict.reason}
          </Text>
        )}
        {verdict?.ok === false && (
          <Text size="xs" c="light-dark(#a51d1d, var(--mantine-color-red-3))" fw={600} data-proof="failed">
            ✗ Proof failed: {verdict.reason}
          </Text>
        )}
        {check.error && (
          <Text size="xs" c="light-dark(#a51d1d, var(--mantine-color-red-3))" data-proof="failed">
            ✗ Proof failed: {check.error.message}
          </Text>
        )}
      </div>
      <Modal
        opened={opened}
        onClose={close}
        closeButtonProps={{ 'aria-label': 'Close' }}
        title="Check against a checkpoint you hold"
        size="lg"
      >
        <form
          onSubmit={(event) => {
            event.preventDefault();
            close();
            check.mutate(held.endsWith('\n') ? held : `${held}\n`);
          }}
        >
          <Stack>
            <Text size="sm">
              Paste a signed checkpoint note you obtained independently (from a witness, an earlier export). The entry is proved against its
              tree size and root, and the note's signature is checked with the ledger's public key.
            </Text>
            <Textarea
              label="Signed checkpoint note"
              autosize
              minRows={5}
              required
              value={held}
              onChange={(e) => setHeld(e.currentTarget.value)}
              styles={{ input: { fontFamily: 'monospace' } }}
            />
            {check.error instanceof Error && <Alert color="red">{check.error.message}</Alert>}
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" disabled={held.trim() === ''}>
                Check against this checkpoint
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </Stack>
  );
}
