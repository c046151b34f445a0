// Approvals: my queue, the requests I filed, all requests (filtered), delegations and emergency
// changes with their retrospective deadlines. The tab and the filters live in the URL.
import { Button, Group, Modal, Select, Tabs, TextInput } from '@mantine/core';
import { useDebouncedCallback } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { useSession } from '../../api/session';
import type { Query } from '../../api/types';
import { PageHeader } from '../../components/PageHeader';
import { Empty, ErrorState, Loading } from '../../components/states';
import { type ApprovalsSearch, type ApprovalTab, approvalsRoute } from '../../routes/approvals.routes';
import { DelegationsTab } from './DelegationsTab';
import { FileRequestForm } from './FileRequestForm';
import { KIND_OPTIONS, mayWrite, STATUS_OPTIONS } from './model';
import { QueueTab } from './QueueTab';
import { RequestTable } from './RequestTable';

const PAGE = 25;
type ListQuery = Query<'listRequests'>;

function RequestsTab({
  query,
  label,
  emptyTitle,
  emergency,
}: {
  query: ListQuery;
  label: string;
  emptyTitle: string;
  emergency?: boolean;
}) {
  const search = approvalsRoute.useSearch();
  const navigate = useNavigate({ from: approvalsRoute.fullPath });
  const page = search.page ?? 1;
  const full = { ...query, limit: PAGE, offset: (page - 1) * PAGE };
  const requests = useQuery({
    queryKey: ['approvals', 'requests', full],
    queryFn: () => unwrap(api.GET('/api/v1/approvals/requests', { params: { query: full } })),
    placeholderData: keepPreviousData,
  });
  if (requests.isPending) return <Loading />;
  if (requests.isError) return <ErrorState error={requests.error} />;
  if (requests.data.total === 0) return <Empty title={emptyTitle} />;
  return (
    <RequestTable
      label={label}
      answer={requests.data}
      page={page}
      pageSize={PAGE}
      emergency={emergency}
      onPage={(p) => navigate({ search: (prev) => ({ ...prev, page: p }) })}
    />
  );
}

function AllRequests() {
  const search = approvalsRoute.useSearch();
  const navigate = useNavigate({ from: approvalsRoute.fullPath });
  const [systemId, setSystemId] = useState(search.systemId ?? '');
  const setSearch = (patch: Partial<ApprovalsSearch>) => navigate({ search: (prev) => ({ ...prev, page: undefined, ...patch }) });
  const setSystemSearch = useDebouncedCallback((value: string) => setSearch({ systemId: value.trim() || undefined }), 300);
  const query: ListQuery = {
    ...(search.status ? { status: search.status as ListQuery['status'] } : {}),
    ...(search.kind ? { kind: search.kind as ListQuery['kind'] } : {}),
    ...(search.systemId ? { systemId: search.systemId } : {}),
  };
  return (
    <>
      <Group mb="md" align="flex-end">
        <Select
          label="Status"
          clearable
          data={STATUS_OPTIONS}
          value={search.status ?? null}
          onChange={(status) => setSearch({ status: status ?? undefined })}
          w={200}
        />
        <Select
          label="Kind"
          clearable
          data={KIND_OPTIONS}
          value={search.kind ?? null}
          onChange={(kind) => setSearch({ kind: kind ?? undefined })}
          w={260}
        />
        <TextInput
          label="AI system id"
          value={systemId}
          onChange={(e) => {
            setSystemId(e.currentTarget.value);
            setSystemSearch(e.currentTarget.value);
          }}
          w={280}
        />
      </Group>
      <RequestsTab query={query} label="All requests" emptyTitle="No request matches these filters" />
    </>
  );
}

export function ApprovalsPage() {
  const session = useSession();
  const search = approvalsRoute.useSearch();
  const navigate = useNavigate({ from: approvalsRoute.fullPath });
  const [filing, setFiling] = useState(false);
  const tab: ApprovalTab = search.tab ?? 'queue';
  const writer = mayWrite(session);
  return (
    <>
      <PageHeader
        title="Approvals"
        description="Your queue, requests, delegations and emergency changes."
        actions={writer && <Button onClick={() => setFiling(true)}>File a request</Button>}
      />
      <Tabs
        value={tab}
        onChange={(value) => navigate({ search: { ...(value && value !== 'queue' ? { tab: value as ApprovalTab } : {}) } })}
        keepMounted={false}
      >
        <Tabs.List mb="md">
          <Tabs.Tab value="queue">My queue</Tabs.Tab>
          <Tabs.Tab value="mine">Requests I filed</Tabs.Tab>
          <Tabs.Tab value="all">All requests</Tabs.Tab>
          <Tabs.Tab value="delegations">Delegations</Tabs.Tab>
          <Tabs.Tab value="emergency">Emergency changes</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="queue">
          <QueueTab />
        </Tabs.Panel>
        <Tabs.Panel value="mine">
          <RequestsTab query={{ requestedBy: session.user.id }} label="Requests I filed" emptyTitle="You have filed no request" />
        </Tabs.Panel>
        <Tabs.Panel value="all">
          <AllRequests />
        </Tabs.Panel>
        <Tabs.Panel value="delegations">
          <DelegationsTab />
        </Tabs.Panel>
        <Tabs.Panel value="emergency">
          <RequestsTab query={{ emergency: true }} label="Emergency changes" emptyTitle="No emergency change was made" emergency />
        </Tabs.Panel>
      </Tabs>
      <Modal opened={filing} onClose={() => setFiling(false)} title="File an approval request" size="lg">
        {filing && <FileRequestForm onDone={() => setFiling(false)} />}
      </Modal>
    </>
  );
}
