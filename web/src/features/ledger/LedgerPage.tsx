// The ledger: the latest signed checkpoint (and its file), the public key that verifies it, a
// verification run, the checkpoints signed so far, and any event looked up by its sequence number.
import { Alert, Button, Card, CopyButton, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { holds, useSession } from '../../api/session';
import { PageHeader } from '../../components/PageHeader';
import { ScrollableCode } from '../../components/ScrollableCode';
import { Empty, ErrorState, Loading } from '../../components/states';
import { CheckpointsTable } from './CheckpointsTable';
import { EventLookup } from './EventLookup';
import { parseCheckpointNote } from './note';
import { VerifyRun } from './VerifyRun';

const LEDGER_READERS = ['admin', 'auditor', 'governance_lead'];

function download(text: string, fileName: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function LatestCheckpoint() {
  const latest = useQuery({
    queryKey: ['ledger', 'checkpoint', 'latest'],
    queryFn: () => unwrap(api.GET('/api/v1/ledger/checkpoints/latest', { parseAs: 'text' })) as Promise<string>,
  });
  return (
    <Card withBorder padding="lg">
      <Title order={2} size="h4" mb="sm">
        Latest signed checkpoint
      </Title>
      {latest.isPending && <Loading />}
      {latest.isError && <ErrorState error={latest.error} title="No checkpoint" />}
      {latest.data &&
        (() => {
          const note = parseCheckpointNote(latest.data);
          return (
            <Stack gap="xs">
              <Text size="sm">
                Tree size <b>{note.treeSize.toLocaleString()}</b> events, signed by <b>{note.signers.join(', ') || 'nobody'}</b>
              </Text>
              <ScrollableCode label="Signed checkpoint note">{latest.data}</ScrollableCode>
              <Group gap="xs">
                <Button variant="default" onClick={() => download(latest.data, `checkpoint-${note.treeSize}.txt`)}>
                  Download checkpoint file
                </Button>
                <CopyButton value={latest.data}>
                  {({ copied, copy }) => (
                    <Button variant="subtle" onClick={copy}>
                      {copied ? 'Copied' : 'Copy'}
                    </Button>
                  )}
                </CopyButton>
              </Group>
            </Stack>
          );
        })()}
    </Card>
  );
}

function PublicKey() {
  const key = useQuery({ queryKey: ['ledger', 'public-key'], queryFn: () => unwrap(api.GET('/api/v1/ledger/public-key')) });
  return (
    <Card withBorder padding="lg">
      <Title order={2} size="h4" mb="sm">
        Public key
      </Title>
      {key.isPending && <Loading />}
      {key.isError && <ErrorState error={key.error} />}
      {key.data && (
        <Stack gap="xs">
          <Text size="sm">Anyone verifies the checkpoints with this key, without trusting this server.</Text>
          <Text size="sm" fw={600}>
            Verifier key ({key.data.name})
          </Text>
          <ScrollableCode label="Verifier key">{key.data.verifierKey}</ScrollableCode>
          <ScrollableCode label="Public key (PEM)">{key.data.publicKeyPem}</ScrollableCode>
          <Group gap="xs">
            <CopyButton value={key.data.verifierKey}>
              {({ copied, copy }) => (
                <Button variant="default" onClick={copy}>
                  {copied ? 'Copied' : 'Copy verifier key'}
                </Button>
              )}
            </CopyButton>
            <Button variant="subtle" onClick={() => download(key.data.publicKeyPem, 'proofline-ledger-key.pem')}>
              Download PEM
            </Button>
          </Group>
        </Stack>
      )}
    </Card>
  );
}

export function LedgerPage() {
  const session = useSession();
  const reader = holds(session, LEDGER_READERS);
  return (
    <>
      <PageHeader
        title="Ledger"
        description="Every record is an event in an append-only Merkle tree (RFC 9162) with Ed25519-signed checkpoints."
      />
      <Stack gap="md">
        <SimpleGrid cols={{ base: 1, lg: 2 }}>
          <LatestCheckpoint />
          <PublicKey />
        </SimpleGrid>
        {reader ? (
          <>
            {holds(session, ['admin', 'auditor']) && <VerifyRun />}
            <EventLookup />
            <CheckpointsTable />
          </>
        ) : (
          <Alert color="gray" title="Reading the ledger's events">
            <Empty title="Events, proofs and verification are for admins, auditors and governance leads">
              Ask an admin for the auditor role to look up events and their proofs.
            </Empty>
          </Alert>
        )}
      </Stack>
    </>
  );
}
