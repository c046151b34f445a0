// My calendar: the address of my own iCalendar feed of the reviews I prepare or sign. The server
// keeps only the token's hash, so the address is shown once; creating a new one replaces (revokes)
// the old, which is also how a leaked address is stopped.
import { Alert, Button, CopyButton, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { ErrorState } from '../../components/states';
import { Time } from '../../components/Time';

export function CalendarDialog({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const issue = useMutation({ mutationFn: () => unwrap(api.POST('/api/v1/reviews/calendar-token')) });
  const close = () => {
    // The address is not kept once the dialog closes: shown once means shown once.
    issue.reset();
    onClose();
  };
  return (
    <Modal opened={opened} onClose={close} title="My calendar" size="lg" closeButtonProps={{ 'aria-label': 'Close' }}>
      <Stack>
        <Text size="sm">
          A calendar feed (iCalendar) of the open reviews you prepare or sign, each on its due date. Give its address to your calendar
          application; the address is all it needs to read the feed, and it reads nothing else.
        </Text>
        {issue.data ? (
          <>
            <Alert color="yellow" title="Shown only once" role="status">
              Copy the address now: Proofline keeps only a fingerprint of it and cannot show it again. Creating a new address stops this
              one.
            </Alert>
            <TextInput
              label="Feed address"
              readOnly
              value={issue.data.url}
              data-testid="calendar-url"
              onFocus={(e) => e.currentTarget.select()}
            />
            <Group justify="space-between">
              <Text size="sm" c="dimmed">
                Created <Time value={issue.data.createdAt} />
              </Text>
              <CopyButton value={issue.data.url}>
                {({ copied, copy }) => (
                  <Button variant={copied ? 'light' : 'filled'} onClick={copy}>
                    {copied ? 'Copied' : 'Copy the address'}
                  </Button>
                )}
              </CopyButton>
            </Group>
          </>
        ) : (
          <>
            {issue.error && <ErrorState error={issue.error} title="The feed address could not be created" />}
            <Text size="sm">If you created an address before, a new one replaces it: the old address stops working at once.</Text>
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button onClick={() => issue.mutate()} loading={issue.isPending} data-autofocus>
                Create my feed address
              </Button>
            </Group>
          </>
        )}
      </Stack>
    </Modal>
  );
}
