// The frame of the public pages: no sign-in, nothing internal, a plain header and the theme toggle.
import { AppShell, Container, Group, Text } from '@mantine/core';
import { Outlet } from '@tanstack/react-router';
import { Suspense } from 'react';
import { Loading } from './states';

export function PublicLayout() {
  return (
    <AppShell header={{ height: 56 }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md">
          <Text fw={700}>AI transparency</Text>
        </Group>
      </AppShell.Header>
      <AppShell.Main>
        <Container size="md" component="main">
          <Suspense fallback={<Loading />}>
            <Outlet />
          </Suspense>
        </Container>
      </AppShell.Main>
    </AppShell>
  );
}
