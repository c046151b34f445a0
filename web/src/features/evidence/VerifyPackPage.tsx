// Verify an evidence pack (public, no sign-in): the person drops the pack and gives the ledger's key
// they trust; the browser checks everything itself (verify-pack.ts) and names the first thing that
// fails. The pack is never uploaded, and no key is trusted unless the person gives it.
import { Alert, Button, Code, FileInput, Group, Paper, Progress, SimpleGrid, Stack, Text, Textarea, Title } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { type DragEvent, useState } from 'react';
import { api, unwrap } from '../../api/client';
import { ErrorState } from '../../components/states';
import { Time } from '../../components/Time';
import { type PackProgress, type PackVerification, verifyPack } from './verify-pack';

function ProgressView({ progress }: { progress: PackProgress }) {
  const share = progress.filesTotal === 0 ? 0 : Math.round((100 * progress.filesDone) / progress.filesTotal);
  return (
    <Stack gap={4} role="status" aria-live="polite">
      <Progress value={share} aria-label="Files checked" />
      <Text size="sm">
        Checking {progress.step}: {progress.filesDone} of {progress.filesTotal} files, {progress.events} events hashed
      </Text>
    </Stack>
  );
}

function Verdict({ result, given }: { result: PackVerification; given: string }) {
  const summary = result.summary;
  if (!result.ok) {
    const problem = result.problem;
    return (
      <Alert color="red" title="The pack does not verify" role="alert">
        <Text size="sm">
          <strong>{problem?.file}</strong>
          {problem?.seq !== undefined && <> · event #{problem.seq}</>}: {problem?.reason}
        </Text>
        {problem?.file === '(pack)' && (
          <Text size="sm" mt={4}>
            This browser may lack Ed25519 in Web Crypto; use a current Chromium, Firefox or Safari, or <code>proofline pack verify</code>.
          </Text>
        )}
        <Text size="xs" mt={4}>
          {result.filesChecked} files matched the manifest before it failed.
        </Text>
      </Alert>
    );
  }
  return (
    <Alert color="green" title="The pack verifies" role="status">
      <Stack gap={2}>
        <Text size="sm">
          Every file matches manifest.json; its {result.events} events are in the ledger's tree of {result.treeSize} entries whose
          checkpoint is signed by the key you gave ({result.origin}).
        </Text>
        {summary && (
          <>
            <Text size="sm">
              Scope: {summary.scope.kind}
              {summary.scope.id ? ` ${summary.scope.id}` : ''}
              {summary.scope.from || summary.scope.to ? ` (${summary.scope.from ?? '…'} to ${summary.scope.to ?? '…'})` : ''} · generated{' '}
              <Time value={summary.generatedAt} />
              {summary.requestedBy ? ` by ${summary.requestedBy}` : ''}
            </Text>
            <Text size="xs">
              Pack {summary.packId} · root <Code>{result.rootHash}</Code> · {result.filesChecked} files
            </Text>
            {summary.claimedKey && summary.claimedKey !== given.trim() && (
              <Text size="xs">The pack names another key ({summary.claimedKey}); it was not used.</Text>
            )}
          </>
        )}
      </Stack>
    </Alert>
  );
}

export function VerifyPackPage() {
  const [pack, setPack] = useState<File | null>(null);
  const [key, setKey] = useState('');
  const [progress, setProgress] = useState<PackProgress | null>(null);
  const [dragging, setDragging] = useState(false);
  const verify = useMutation({
    mutationFn: async ({ file, verifierKey }: { file: File; verifierKey: string }) =>
      verifyPack(new Uint8Array(await file.arrayBuffer()), verifierKey, { onProgress: setProgress }),
  });
  const published = useMutation({
    mutationFn: () => unwrap(api.GET('/api/v1/ledger/public-key')),
    onSuccess: (answer) => setKey(answer.verifierKey),
  });
  const choose = (file: File | null) => {
    setPack(file);
    verify.reset();
    setProgress(null);
  };
  const onDrop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    setDragging(false);
    const file = event.dataTransfer.files[0];
    if (file) choose(file);
  };
  return (
    <Stack gap="md" py="md">
      <div>
        <Title order={1} size="h2">
          Verify an evidence pack
        </Title>
        <Text c="dimmed" size="sm">
          Checked entirely in this browser: the pack is not uploaded anywhere.
        </Text>
      </div>
      <Alert color="blue" title="Where trust comes from">
        <Text size="sm">
          From the ledger key you enter, and from nothing else. Take it from a source other than the pack: your own records, the
          organisation's published key as you saved it earlier, or the auditor's copy. The key written inside the pack is only shown, never
          used: whoever could alter a pack could replace that key too. The check is the one <code>proofline pack verify</code> makes: every
          file's SHA-256 against the manifest, every event's leaf hash and its inclusion in the signed checkpoint's Merkle tree (RFC 9162),
          the checkpoint's Ed25519 signature and its consistency with earlier checkpoints.
        </Text>
      </Alert>
      <Paper
        withBorder
        p="md"
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
        style={dragging ? { borderColor: 'var(--mantine-primary-color-filled)', borderStyle: 'dashed' } : undefined}
      >
        <form
          onSubmit={(event) => {
            event.preventDefault();
            if (pack) verify.mutate({ file: pack, verifierKey: key });
          }}
        >
          <Stack gap="sm">
            <FileInput
              label="Evidence pack"
              description="Drop the zip here, or choose it"
              accept=".zip,application/zip"
              value={pack}
              onChange={choose}
              clearable
              clearButtonProps={{ 'aria-label': 'Remove the chosen pack' }}
            />
            <Textarea
              label="The ledger's public key you trust"
              description="The verifier key: <name>+<key id>+<key>, one line"
              autosize
              minRows={2}
              value={key}
              onChange={(event) => setKey(event.currentTarget.value)}
              styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
            />
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <FileInput
                label="Or read the key from a file"
                accept=".txt,.pub,text/plain"
                onChange={async (file) => setKey(file ? (await file.text()).trim() : '')}
              />
              <Stack gap={4} justify="flex-end">
                <Button variant="default" onClick={() => published.mutate()} loading={published.isPending}>
                  Use the key this server publishes
                </Button>
                <Text size="xs" c="dimmed">
                  Only if you trust this server: a server that altered the pack could publish a matching key.
                </Text>
              </Stack>
            </SimpleGrid>
            {published.isError && <ErrorState error={published.error} title="The published key could not be read" />}
            <Group>
              <Button type="submit" disabled={!pack || key.trim() === ''} loading={verify.isPending}>
                Verify the pack
              </Button>
              {!pack && (
                <Text size="sm" c="dimmed">
                  Choose a pack and enter a key to verify.
                </Text>
              )}
            </Group>
          </Stack>
        </form>
      </Paper>
      {verify.isPending && progress && <ProgressView progress={progress} />}
      {verify.isError && <ErrorState error={verify.error} title="The pack could not be read" />}
      {verify.data && <Verdict result={verify.data} given={key} />}
    </Stack>
  );
}
