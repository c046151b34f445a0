// Choose an AI system by typing part of its name (server-side search of the inventory).
import { Loader, Select, type SelectProps } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../api/client';

interface Props extends Omit<SelectProps, 'data' | 'value' | 'onChange' | 'searchValue' | 'onSearchChange'> {
  value: string | null;
  onChange: (systemId: string | null) => void;
}

export function SystemPicker({ value, onChange, ...props }: Props) {
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search, 250);
  const systems = useQuery({
    queryKey: ['systems', 'picker', debounced],
    queryFn: () => unwrap(api.GET('/api/v1/systems', { params: { query: { limit: 20, ...(debounced ? { q: debounced } : {}) } } })),
    placeholderData: keepPreviousData,
  });
  const chosen = useQuery({
    queryKey: ['systems', 'one', value],
    queryFn: () => unwrap(api.GET('/api/v1/systems/{id}', { params: { path: { id: value ?? '' } } })),
    enabled: Boolean(value),
  });
  const options = (systems.data?.items ?? []).map((s) => ({ value: s.id, label: s.name }));
  if (value && chosen.data && !options.some((o) => o.value === value)) options.unshift({ value, label: chosen.data.name });
  return (
    <Select
      searchable
      clearable
      nothingFoundMessage={systems.isFetching ? 'Searching…' : 'No AI system by that name'}
      rightSection={systems.isFetching ? <Loader size="xs" /> : undefined}
      {...props}
      data={options}
      value={value}
      onChange={onChange}
      searchValue={search}
      onSearchChange={setSearch}
      filter={({ options: all }) => all}
    />
  );
}
