// One data source's latest representativeness report in the data sources table: the goodness of fit
// of its group counts against the reference population, and whether the data source has changed
// since (then the report is stale, naming the change, until the population is reported again).
import { Badge, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { ApiError, api, unwrap } from '../../api/client';
import { Time } from '../../components/Time';

export function DataSourceRepresentativeness({ dataSourceId }: { dataSourceId: string }) {
  const population = useQuery({
    queryKey: ['data-sources', dataSourceId, 'population'],
    queryFn: async () => {
      try {
        return await unwrap(api.GET('/api/v1/data-sources/{id}/population', { params: { path: { id: dataSourceId } } }));
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) return null;
        throw error;
      }
    },
  });
  if (population.isError) return <Text size="sm">could not be loaded</Text>;
  if (population.data === undefined) return <Text size="sm">…</Text>;
  const p = population.data;
  if (p === null) return <Text size="sm">not reported</Text>;
  const pValue = p.result.chiSquare.pValue;
  return (
    <Stack gap={2}>
      <Text size="sm">
        {p.attribute}: n {p.result.n}, p = {pValue.value === null ? `none (${pValue.reason})` : pValue.value.toPrecision(3)} (
        <Time value={p.updatedAt} />)
      </Text>
      {p.stale && (
        <Stack gap={0}>
          <Badge color="orange" variant="light" w="fit-content">
            stale
          </Badge>
          <Text size="xs">
            {p.stale.change ? (
              <>
                The data source changed after this report (version {p.stale.change.version}, <Time value={p.stale.change.at} />
                {p.stale.change.rationale && `: ${p.stale.change.rationale}`}); report its population again.
              </>
            ) : (
              <>The data source changed after this report (now version {p.stale.dataSourceVersion}); report its population again.</>
            )}
          </Text>
        </Stack>
      )}
    </Stack>
  );
}
