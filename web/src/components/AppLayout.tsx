// The signed-in frame: navigation by area, the person and their roles, theme, sign-out.
import './skip-link.css';
import {
  ActionIcon,
  AppShell,
  Burger,
  Button,
  Group,
  Menu,
  NavLink,
  ScrollArea,
  Text,
  Tooltip,
  useMantineColorScheme,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, Outlet, useNavigate, useRouterState } from '@tanstack/react-router';
import { Suspense } from 'react';
import { api, setCsrfToken, unwrap } from '../api/client';
import { holds, useSession } from '../api/session';
import { activeNavEntry, NAV } from './navigation';
import { Loading } from './states';

function ThemeToggle() {
  const { colorScheme, toggleColorScheme } = useMantineColorScheme();
  const label = colorScheme === 'dark' ? 'Switch to the light theme' : 'Switch to the dark theme';
  return (
    <Tooltip label={label}>
      <ActionIcon
        variant="default"
        size="lg"
        onClick={toggleColorScheme}
        aria-label={label}
        data-testid="theme-toggle"
        style={{ flexShrink: 0 }}
      >
        <span aria-hidden="true">{colorScheme === 'dark' ? '☀' : '☾'}</span>
      </ActionIcon>
    </Tooltip>
  );
}

export function AppLayout() {
  const session = useSession();
  const [opened, { toggle, close }] = useDisclosure();
  const pathname = useRouterState({ select: (s) => s.location.pathname });
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const signOut = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/auth/logout')),
    onSettled: async () => {
      setCsrfToken(null);
      queryClient.clear();
      await navigate({ to: '/login', search: {} });
    },
  });
  const entries = NAV.filter((entry) => !entry.roles || holds(session, entry.roles));
  const active = activeNavEntry(pathname, entries);
  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <AppShell.Header>
        <a className="skip-link" href="#main-content">
          Skip to the page's content
        </a>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap" gap="sm">
          <Group gap="sm" wrap="nowrap" style={{ flexShrink: 0 }}>
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Open the navigation" />
            <Text component={Link} to="/" fw={700} size="lg" style={{ textDecoration: 'none', color: 'inherit' }}>
              Proofline
            </Text>
          </Group>
          {/* The header's controls sit side by side and never wrap or overlap: a long name is cut short
              (the full name is in the button's label and the menu). */}
          <Group gap="xs" wrap="nowrap" style={{ minWidth: 0 }}>
            <ThemeToggle />
            {/* No initial-focus placeholder: Mantine's is a focusable role="presentation" element inside
                role="menu", which axe-core reports as a critical aria-required-children violation; without
                it, opening the menu focuses its first item, as the WAI-ARIA menu pattern asks. */}
            <Menu position="bottom-end" withInitialFocusPlaceholder={false}>
              <Menu.Target>
                <Button
                  variant="default"
                  h={34}
                  px="sm"
                  maw={{ base: 180, sm: 320 }}
                  aria-label={`Account: ${session.user.displayName}`}
                  data-testid="account-menu"
                  styles={{ root: { minWidth: 0 }, label: { minWidth: 0 } }}
                >
                  <Text size="sm" truncate="end">
                    {session.user.displayName || session.user.email}
                  </Text>
                </Button>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Label>{session.user.email}</Menu.Label>
                <Menu.Label>Roles: {session.roles.join(', ') || 'none'}</Menu.Label>
                <Menu.Item component={Link} to="/admin/tokens">
                  My API tokens
                </Menu.Item>
                <Menu.Item onClick={() => signOut.mutate()}>Sign out</Menu.Item>
              </Menu.Dropdown>
            </Menu>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Main">
        <ScrollArea>
          <nav>
            {entries.map((entry) => (
              <NavLink
                key={entry.to}
                component={Link}
                to={entry.to}
                // The router marks a link current on every path under it (/systems on a system's
                // monitoring page); only an exact match may, which activeNavEntry always agrees with.
                activeOptions={{ exact: true, includeSearch: false }}
                label={entry.label}
                active={entry.to === active}
                variant="filled"
                aria-current={entry.to === active ? 'page' : undefined}
                onClick={close}
              />
            ))}
          </nav>
        </ScrollArea>
      </AppShell.Navbar>
      <AppShell.Main>
        <main id="main-content" tabIndex={-1}>
          <Suspense fallback={<Loading />}>
            <Outlet />
          </Suspense>
        </main>
      </AppShell.Main>
    </AppShell>
  );
}
