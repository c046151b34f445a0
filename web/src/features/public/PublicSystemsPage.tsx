// The public list of the AI systems this organisation has chosen to publish (no sign-in).
import { Badge, Card, Group, Pagination, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api, unwrap } from '../../api/client';
import { AnchorLink } from '../../components/AnchorLink';
import { Empty, ErrorState, Loading } from '../../components/states';
import { RuntimeStateBadge } from './RuntimeStateBadge';

const PAGE = 20;

export function PublicSystemsPage() {
  const [page, setPage] = useState(1);
  useEffect(() => {
    document.title = 'AI systems we use';
  }, []);
  const systems = useQuery({
    queryKey: ['public', 'systems', page],
    queryFn: () => unwrap(api.GET('/api/v1/public/systems', { params: { query: { limit: PAGE, offset: (page - 1) * PAGE } } })),
    placeholderData: keepPreviousData,
  });
  return (
    <Stack>
      <Title order={1}>AI systems we use</Title>
      <Text>
        Each page says what the system does and does not do, whether a person reviews its outputs, who oversees it and how to challenge a
        decision it took part in.
      </Text>
      {systems.isPending && <Loading />}
      {systems.isError && <ErrorState error={systems.error} />}
      {systems.data && systems.data.total === 0 && <Empty title="No AI system is published yet" />}
      {systems.data && systems.data.total > 0 && (
        <>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            {systems.data.items.map((s) => (
              <Card key={s.ref} withBorder padding="lg">
                <Group justify="space-between" align="flex-start" mb="xs">
                  <AnchorLink to="/public/systems/$ref" params={{ ref: s.ref }} fw={600}>
                    {s.name}
                  </AnchorLink>
                  <RuntimeStateBadge state={s.state} />
                </Group>
                <Text size="sm" lineClamp={3}>
                  {s.whatItDoes}
                </Text>
                <Badge variant="outline" color="gray" mt="sm">
                  Reference {s.ref}
                </Badge>
              </Card>
            ))}
          </SimpleGrid>
          {systems.data.total > PAGE && (
            <Pagination
              total={Math.ceil(systems.data.total / PAGE)}
              value={page}
              onChange={setPage}
              getControlProps={(control) => ({ 'aria-label': `${control} page` })}
            />
          )}
        </>
      )}
    </Stack>
  );
}
