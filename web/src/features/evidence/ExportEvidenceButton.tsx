// "Export evidence": one click asks the server for the evidence pack of a scope (an AI system, a
// control, a framework or the organisation) and an optional period, and saves the zip it streams.
// Shown to auditors and admins only (the server refuses everyone else, POST /api/v1/evidence-packs).
import { Alert, Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { rawFetch } from '../../api/client';
import { holds, useSession } from '../../api/session';
import type { Body } from '../../api/types';
import { ErrorState } from '../../components/states';
import { periodOf } from './period';

type PackBody = Body<'generateEvidencePack'>;
export type PackScope = PackBody['scope'];

export const PACKERS = ['admin', 'auditor'] as const;

/** The file name the server gave (Content-Disposition), or one made from the scope. */
function fileNameOf(response: Response, scope: PackScope): string {
  const match = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '');
  return match?.[1] ?? `evidence-pack-${scope}.zip`;
}

const megabytes = (bytes: number) => `${(bytes / 1_048_576).toFixed(bytes < 10_485_760 ? 1 : 0)} MB`;

/** Reads the streamed zip, reporting the bytes received so far, and saves it as a file. */
async function downloadPack(body: PackBody, onBytes: (bytes: number) => void): Promise<{ fileName: string; bytes: number }> {
  const response = await rawFetch('/api/v1/evidence-packs', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  const reader = response.body?.getReader();
  if (reader) {
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      chunks.push(read.value);
      bytes += read.value.length;
      onBytes(bytes);
    }
  }
  const fileName = fileNameOf(response, body.scope);
  const url = URL.createObjectURL(new Blob(chunks as BlobPart[], { type: 'application/zip' }));
  try {
    const link = document.createElement('a');
    link.href = url;
    link.download = fileName;
    document.body.append(link);
    link.click();
    link.remove();
  } finally {
    // The browser has taken the file once the click is handled.
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
  return { fileName, bytes };
}

export function ExportEvidenceButton({ scope, id, label }: { scope: PackScope; id?: string; label: string }) {
  const session = useSession();
  const [opened, setOpened] = useState(false);
  const [fromDay, setFromDay] = useState('');
  const [toDay, setToDay] = useState('');
  const [received, setReceived] = useState(0);
  const exportPack = useMutation({
    mutationFn: () => {
      setReceived(0);
      return downloadPack({ scope, ...(id !== undefined ? { id } : {}), ...periodOf(fromDay, toDay) }, setReceived);
    },
    onSuccess: ({ fileName, bytes }) => {
      notifications.show({ color: 'green', message: `Evidence pack ${fileName} saved (${megabytes(bytes)})` });
      setOpened(false);
    },
  });
  if (!holds(session, PACKERS)) return null;
  const close = () => {
    if (!exportPack.isPending) setOpened(false);
  };
  return (
    <>
      <Button
        variant="default"
        onClick={() => {
          exportPack.reset();
          setOpened(true);
        }}
      >
        Export evidence
      </Button>
      <Modal opened={opened} onClose={close} title={`Export evidence: ${label}`}>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            exportPack.mutate();
          }}
        >
          <Stack gap="sm">
            <Text size="sm">
              A zip of the ledger events in scope with their proofs against a freshly signed checkpoint, the records, the controls' status
              and a report. Anyone can verify it offline (the public page "Verify an evidence pack" or <code>proofline pack verify</code>).
              Its generation is recorded in the ledger.
            </Text>
            <Group grow>
              <TextInput
                type="date"
                label="From (optional)"
                description="events recorded on or after this day"
                value={fromDay}
                onChange={(e) => setFromDay(e.currentTarget.value)}
              />
              <TextInput
                type="date"
                label="To (optional)"
                description="up to the end of this day"
                value={toDay}
                onChange={(e) => setToDay(e.currentTarget.value)}
              />
            </Group>
            {exportPack.isError && <ErrorState error={exportPack.error} title="The pack could not be exported" />}
            {exportPack.isPending && (
              <Alert color="blue" role="status" aria-live="polite">
                {received === 0 ? 'Preparing the pack…' : `Downloading the pack: ${megabytes(received)} received…`}
              </Alert>
            )}
            <Group justify="flex-end">
              <Button variant="default" onClick={close} disabled={exportPack.isPending}>
                Cancel
              </Button>
              <Button type="submit" loading={exportPack.isPending}>
                Download the pack
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </>
  );
}
