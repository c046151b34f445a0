import { Anchor, Stack, Text, Title } from '@mantine/core';
import { Link } from '@tanstack/react-router';

export function NotFound() {
  return (
    <Stack py="xl" align="center">
      <Title order={1} size="h3">
        Page not found
      </Title>
      <Text c="dimmed">This address does not lead to a page of Proofline.</Text>
      <Anchor component={Link} to="/">
        Go to the dashboard
      </Anchor>
    </Stack>
  );
}
