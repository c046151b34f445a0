// Scheduling a review by hand ("Schedule a review now"), beside the scheduler's own: the kind, the
// period it looks back on, its due date, the preparer and the two signatories. Governance leads and
// admins (the route's rule); the server checks the people and the dates again.
import { Alert, Button, Group, Modal, Select, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { ApiError, api, unwrap } from '../../api/client';
import { PersonPicker } from '../systems/PersonPicker';
import { dayToIso, periodErrors, REVIEW_KIND_OPTIONS, type ReviewKind, scheduleDefaults } from './model';

export function ScheduleReviewDialog({
  systemId,
  accountableOwnerId,
  opened,
  onClose,
}: {
  systemId: string;
  accountableOwnerId: string | null;
  opened: boolean;
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const form = useForm({
    initialValues: {
      kind: 'fairness' as string,
      ...scheduleDefaults(new Date()),
      preparerId: accountableOwnerId as string | null,
      reviewerId: null as string | null,
      secondSignatoryId: null as string | null,
    },
    validate: (values) => ({
      ...periodErrors(values),
      preparerId: values.preparerId ? null : 'Choose who prepares it',
      reviewerId: values.reviewerId ? null : 'Choose the reviewer',
      secondSignatoryId: !values.secondSignatoryId
        ? 'Choose the second signatory'
        : values.secondSignatoryId === values.reviewerId
          ? 'Two different people sign'
          : null,
    }),
  });
  const schedule = useMutation({
    mutationFn: (values: typeof form.values) =>
      unwrap(
        api.POST('/api/v1/reviews', {
          body: {
            systemId,
            kind: values.kind as ReviewKind,
            periodFrom: dayToIso(values.periodFrom) ?? values.periodFrom,
            periodTo: dayToIso(values.periodTo) ?? values.periodTo,
            dueAt: dayToIso(values.dueAt) ?? values.dueAt,
            preparerId: values.preparerId ?? '',
            reviewerId: values.reviewerId ?? '',
            secondSignatoryId: values.secondSignatoryId ?? '',
          },
        }),
      ),
    onSuccess: async (review) => {
      await queryClient.invalidateQueries({ queryKey: ['reviews'] });
      notifications.show({ color: 'green', message: `The ${review.kind} review is scheduled` });
      onClose();
      await navigate({ to: '/reviews/$reviewId', params: { reviewId: review.id } });
    },
  });
  return (
    <Modal opened={opened} onClose={onClose} title="Schedule a review now" size="lg" closeButtonProps={{ 'aria-label': 'Close' }}>
      <form onSubmit={form.onSubmit((values) => schedule.mutate(values))} noValidate>
        <Stack>
          <Select
            label="Kind of review"
            required
            allowDeselect={false}
            data={REVIEW_KIND_OPTIONS}
            data-autofocus
            {...form.getInputProps('kind')}
          />
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <TextInput type="date" label="Period from" required {...form.getInputProps('periodFrom')} />
            <TextInput type="date" label="Period to" required {...form.getInputProps('periodTo')} />
            <TextInput type="date" label="Due" required {...form.getInputProps('dueAt')} />
          </SimpleGrid>
          <PersonPicker label="Preparer" required {...form.getInputProps('preparerId')} />
          <PersonPicker label="Reviewer (first signature)" required {...form.getInputProps('reviewerId')} />
          <PersonPicker label="Second signatory" required {...form.getInputProps('secondSignatoryId')} />
          {schedule.error && (
            <Alert color="red" role="alert" title="Refused">
              {schedule.error.message}
              {schedule.error instanceof ApiError && (
                <Text size="xs" mt={4}>
                  code: <code>{schedule.error.code}</code>
                </Text>
              )}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={schedule.isPending}>
              Schedule the review
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
