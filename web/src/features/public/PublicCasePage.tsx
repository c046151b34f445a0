// The appellant's view of their case: its status, the deadline and, once resolved, the outcome.
// The secret travels in the URL's fragment (#secret=...), which browsers never send to a server.
import { Alert, Button, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { ApiError, api, unwrap } from '../../api/client';
import { ErrorState, Loading } from '../../components/states';
import { Time } from '../../components/Time';
import { publicCaseRoute } from '../../routes/public.routes';

const STATUS_WORDS: Record<string, string> = {
  received: 'Received: a person will look at it',
  in_review: 'Being reviewed by a person',
  resolved: 'Resolved',
};

function secretFromHash(): string {
  return new URLSearchParams(window.location.hash.slice(1)).get('secret') ?? '';
}

export function PublicCasePage() {
  const { caseNumber } = publicCaseRoute.useParams();
  const [secret, setSecret] = useState(secretFromHash);
  const [typed, setTyped] = useState('');
  useEffect(() => {
    document.title = `Appeal ${caseNumber}`;
  }, [caseNumber]);
  const status = useQuery({
    queryKey: ['public', 'case', caseNumber, secret],
    queryFn: () => unwrap(api.GET('/api/v1/public/appeals/{caseNumber}', { params: { path: { caseNumber }, query: { secret } } })),
    enabled: secret !== '',
    retry: false,
  });
  return (
    <Stack>
      <Title order={1}>Your appeal {caseNumber}</Title>
      {secret === '' && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            setSecret(typed.trim());
          }}
        >
          <Stack maw={420}>
            <Text>Enter the secret you received when you filed the appeal.</Text>
            <TextInput label="Secret" value={typed} onChange={(e) => setTyped(e.currentTarget.value)} required />
            <Button type="submit">Show my case</Button>
          </Stack>
        </form>
      )}
      {status.isLoading && <Loading />}
      {status.isError && (
        <ErrorState
          error={status.error}
          title={status.error instanceof ApiError && status.error.status === 404 ? 'No case matches this number and secret' : undefined}
        />
      )}
      {status.data && (
        <>
          <Table variant="vertical" withTableBorder maw={640}>
            <Table.Tbody>
              <Table.Tr>
                <Table.Th w={200}>Status</Table.Th>
                <Table.Td data-testid="case-status">{STATUS_WORDS[status.data.status] ?? status.data.status}</Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th>Received</Table.Th>
                <Table.Td>
                  <Time value={status.data.receivedAt} />
                </Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th>Answer due by</Table.Th>
                <Table.Td>
                  <Time value={status.data.dueAt} />
                </Table.Td>
              </Table.Tr>
              {status.data.resolvedAt && (
                <Table.Tr>
                  <Table.Th>Resolved</Table.Th>
                  <Table.Td>
                    <Time value={status.data.resolvedAt} />
                  </Table.Td>
                </Table.Tr>
              )}
            </Table.Tbody>
          </Table>
          {status.data.outcome && (
            <Alert color="blue" title={`Outcome: ${status.data.outcome.replaceAll('_', ' ')}`}>
              <Text style={{ whiteSpace: 'pre-wrap' }}>{status.data.outcomeExplanation}</Text>
            </Alert>
          )}
        </>
      )}
    </Stack>
  );
}
