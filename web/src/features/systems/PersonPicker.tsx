// Choosing a person: a searchable list of active users for those who may read users, otherwise
// just themselves (the server checks the choice names an active person either way).
import { Select } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { api, unwrap } from '../../api/client';
import { holds, useSession } from '../../api/session';

/** Who may list users (GET /api/v1/users). */
const USER_READERS = ['admin', 'auditor', 'governance_lead'];

/** The people to choose from; `wanted` false defers the list until it is needed. */
export function usePeople(wanted = true) {
  const session = useSession();
  const mayList = holds(session, USER_READERS);
  const people = useQuery({
    queryKey: ['users', 'active'],
    queryFn: () => unwrap(api.GET('/api/v1/users', { params: { query: { status: 'active', limit: 500 } } })),
    enabled: mayList && wanted,
    staleTime: 60_000,
  });
  const list = (people.data?.items ?? []).map((u) => ({ value: u.id, label: `${u.displayName} (${u.email})` }));
  if (!list.some((p) => p.value === session.user.id)) {
    list.unshift({ value: session.user.id, label: `${session.user.displayName} (me)` });
  }
  return { mayList, options: list, loading: people.isLoading };
}

interface PersonPickerProps {
  label: string;
  value?: string | null;
  onChange: (value: string | null) => void;
  error?: ReactNode;
  required?: boolean;
  description?: string;
  placeholder?: string;
  /** Load the list of people only once the dropdown opens (or a person is already chosen). */
  lazy?: boolean;
  /** Extra choices before the people, e.g. "nobody". */
  extra?: Array<{ value: string; label: string }>;
}

export function PersonPicker({ label, value, onChange, error, required, description, placeholder, lazy, extra = [] }: PersonPickerProps) {
  const [opened, setOpened] = useState(false);
  const { mayList, options } = usePeople(!lazy || opened || (value != null && !extra.some((e) => e.value === value)));
  return (
    <Select
      label={label}
      description={description ?? (mayList ? undefined : 'You can choose yourself; a governance lead can name anyone.')}
      placeholder={placeholder}
      data={[...extra, ...options]}
      value={value ?? null}
      onChange={onChange}
      error={error}
      required={required}
      clearable={!required}
      searchable
      nothingFoundMessage="Nobody by that name"
      limit={50}
      onDropdownOpen={() => setOpened(true)}
    />
  );
}
