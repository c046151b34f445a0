// Sign-in with email and password, or through single sign-on when the server offers it (the password
// form is hidden when password sign-in is off); the session cookie is set by the server, the CSRF
// token kept in memory.
import { Alert, Button, Center, Code, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createRoute, useNavigate } from '@tanstack/react-router';
import { ApiError, api, setCsrfToken, unwrap } from '../api/client';
import { sessionQuery } from '../api/session';
import { ssoErrorMessage } from '../features/auth/ssoErrors';
import { rootRoute } from './root';

interface LoginSearch {
  next?: string;
  /** A refused single sign-on's stable code. */
  error?: string;
}

export const loginRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/login',
  validateSearch: (search: Record<string, unknown>): LoginSearch => ({
    ...(typeof search.next === 'string' && search.next.startsWith('/') && !search.next.startsWith('//') ? { next: search.next } : {}),
    ...(typeof search.error === 'string' && /^[a-z_]{1,64}$/.test(search.error) ? { error: search.error } : {}),
  }),
  component: LoginPage,
});

function LoginPage() {
  const { next, error: ssoError } = loginRoute.useSearch();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const methods = useQuery({ queryKey: ['auth', 'methods'], queryFn: () => unwrap(api.GET('/api/v1/auth/methods')) });
  const sso = methods.data?.sso ?? null;
  const password = methods.data?.password ?? true;
  const form = useForm({
    initialValues: { email: '', password: '' },
    validate: {
      email: (v) => (/^\S+@\S+$/.test(v) ? null : 'Enter the email address of your account'),
      password: (v) => (v.length > 0 ? null : 'Enter your password'),
    },
  });
  const signIn = useMutation({
    mutationFn: (values: { email: string; password: string }) => unwrap(api.POST('/api/v1/auth/login', { body: values })),
    onSuccess: async (answer) => {
      setCsrfToken(answer.csrfToken);
      await queryClient.invalidateQueries({ queryKey: sessionQuery.queryKey });
      await queryClient.fetchQuery(sessionQuery);
      await navigate({ to: next ?? '/' });
    },
  });
  const error = signIn.error;
  return (
    <Center mih="100vh" p="md">
      <Paper withBorder shadow="sm" p="xl" w={380} component="main">
        <form onSubmit={form.onSubmit((values) => signIn.mutate(values))} noValidate>
          <Stack>
            <Title order={1} size="h3">
              Sign in to Proofline
            </Title>
            {ssoError && !error && (
              <Alert color="red" role="alert" title="Single sign-on failed">
                {ssoErrorMessage(ssoError)}
                <Text size="xs" mt={4}>
                  code: <Code>{ssoError}</Code>
                </Text>
              </Alert>
            )}
            {error && (
              <Alert color="red" role="alert" title="Sign-in failed">
                {error.message}
                {error instanceof ApiError && ` (${error.code})`}
              </Alert>
            )}
            {sso && (
              <Button component="a" href={`${sso.loginUrl}?returnTo=${encodeURIComponent(next ?? '/')}`} variant="filled">
                Sign in with single sign-on
              </Button>
            )}
            {password && (
              <>
                <TextInput label="Email" type="email" autoComplete="username" required {...form.getInputProps('email')} />
                <PasswordInput label="Password" autoComplete="current-password" required {...form.getInputProps('password')} />
                <Button type="submit" loading={signIn.isPending} variant={sso ? 'default' : 'filled'}>
                  Sign in
                </Button>
              </>
            )}
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
