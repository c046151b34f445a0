// Inventory: every AI system, one server page at a time (sorted and filtered by the server, the
// filters in the URL), the rows of a page virtualised; saved views, import with a dry run, export,
// and registering a system for those who may.
import {
  Anchor,
  Badge,
  Button,
  Checkbox,
  Group,
  Menu,
  Pagination,
  Paper,
  Select,
  SimpleGrid,
  Table,
  Text,
  TextInput,
  UnstyledButton,
  VisuallyHidden,
} from '@mantine/core';
import { useDebouncedCallback, useDisclosure } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef, useState } from 'react';
import { holds, useSession } from '../../api/session';
import type { Answer } from '../../api/types';
import { PageHeader } from '../../components/PageHeader';
import { Empty, ErrorState, Loading } from '../../components/states';
import { Time } from '../../components/Time';
import { AI_TYPES, type InventorySearch, inventoryRoute, KINDS, PAGE_SIZES, STATUSES, TIERS } from '../../routes/systems.routes';
import { CreateSystemDialog } from './CreateSystemDialog';
import { ImportDialog } from './ImportDialog';
import { humanize, options, TIER_COLOR } from './labels';
import { PersonPicker } from './PersonPicker';
import { exportFilter, exportHref, systemsPageQuery } from './queries';
import { SavedViews } from './SavedViews';

type System = Answer<'listSystems'>['items'][number];

const CREATORS = ['admin', 'governance_lead', 'contributor'];
const GOVERNORS = ['admin', 'governance_lead'];
const ROW_HEIGHT = 41;

export function InventoryPage() {
  const session = useSession();
  const search = inventoryRoute.useSearch();
  const navigate = useNavigate({ from: '/systems' });
  const [creating, createDialog] = useDisclosure(false);
  const [importing, importDialog] = useDisclosure(false);
  const systems = useQuery({ ...systemsPageQuery(search), placeholderData: keepPreviousData });
  const setSearch = (change: Partial<InventorySearch>) =>
    navigate({ search: (prev: InventorySearch) => ({ ...prev, ...change, page: 'page' in change ? change.page : undefined }) });
  const size = search.size ?? 50;
  const pages = systems.data ? Math.max(1, Math.ceil(systems.data.total / size)) : 1;
  return (
    <>
      <PageHeader
        title="Inventory"
        description="Every AI system, prototypes and shadow AI included."
        actions={
          <>
            <ExportMenu search={search} total={systems.isPlaceholderData ? undefined : systems.data?.total} />
            {holds(session, GOVERNORS) && (
              <Button variant="default" onClick={importDialog.open}>
                Import
              </Button>
            )}
            {holds(session, CREATORS) && <Button onClick={createDialog.open}>Register a system</Button>}
          </>
        }
      />
      <Filters search={search} setSearch={setSearch} />
      <SavedViews search={search} />
      {systems.isError ? (
        <ErrorState error={systems.error} title="The inventory could not be loaded" />
      ) : !systems.data ? (
        <Loading label="Loading the inventory…" />
      ) : systems.data.items.length === 0 ? (
        <Empty title={systems.data.total === 0 && Object.keys(search).length === 0 ? 'No systems yet' : 'No system matches these filters'}>
          {Object.keys(search).length > 0 ? 'Clear a filter to see more.' : 'Register a system or import your inventory.'}
        </Empty>
      ) : (
        <>
          <Group justify="space-between" my="xs">
            <Text size="sm" c="dimmed" role="status">
              {systems.data.total.toLocaleString()} systems · showing {systems.data.offset + 1}–
              {systems.data.offset + systems.data.items.length}
            </Text>
            <Select
              aria-label="Rows per page"
              size="xs"
              w={120}
              data={PAGE_SIZES.map((n) => ({ value: String(n), label: `${n} per page` }))}
              value={String(size)}
              allowDeselect={false}
              onChange={(v) => setSearch({ size: Number(v) as InventorySearch['size'] })}
            />
          </Group>
          <SystemsTable items={systems.data.items} stale={systems.isPlaceholderData} search={search} setSearch={setSearch} />
          {pages > 1 && (
            <Group justify="center" mt="md">
              <Pagination
                total={pages}
                value={search.page ?? 1}
                onChange={(page) => setSearch({ page })}
                getControlProps={(control) => ({ 'aria-label': `${control} page` })}
                getItemProps={(page) => ({ 'aria-label': `Page ${page}` })}
              />
            </Group>
          )}
        </>
      )}
      <CreateSystemDialog opened={creating} onClose={createDialog.close} />
      {holds(session, GOVERNORS) && <ImportDialog opened={importing} onClose={importDialog.close} />}
    </>
  );
}

/** The export as a download of what the inventory shows: the filters in the URL apply (not the page
 * or the order), and each item says so by naming how many systems it holds. */
function ExportMenu({ search, total }: { search: InventorySearch; total: number | undefined }) {
  const filter = exportFilter(search);
  const filtered = Object.keys(filter).length > 0;
  const count = total === undefined ? undefined : `${total.toLocaleString()} ${total === 1 ? 'system' : 'systems'}`;
  const what = filtered
    ? count === undefined
      ? 'the filtered systems'
      : `${total === 1 ? 'this' : 'these'} ${count}`
    : count === undefined
      ? 'all systems'
      : `all ${count}`;
  return (
    // No initial-focus placeholder: see the account menu in AppLayout (axe-core aria-required-children).
    <Menu position="bottom-end" withInitialFocusPlaceholder={false}>
      <Menu.Target>
        <Button variant="default">Export</Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Item component="a" href={exportHref(filter, 'csv')} download="systems.csv">
          Export {what} as CSV
        </Menu.Item>
        <Menu.Item component="a" href={exportHref(filter, 'json')} download="systems.json">
          Export {what} as JSON
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}

function Filters({ search, setSearch }: { search: InventorySearch; setSearch: (change: Partial<InventorySearch>) => void }) {
  const [q, setQ] = useState(search.q ?? '');
  const [tag, setTag] = useState(search.tag ?? '');
  const applyText = useDebouncedCallback((change: Partial<InventorySearch>) => setSearch(change), 300);
  return (
    <Paper withBorder p="sm" mb="sm" component="search" aria-label="Filters">
      <SimpleGrid cols={{ base: 1, sm: 2, md: 4, lg: 7 }} spacing="xs">
        <TextInput
          label="Name"
          placeholder="Search by name"
          value={q}
          onChange={(e) => {
            setQ(e.currentTarget.value);
            applyText({ q: e.currentTarget.value.trim() || undefined });
          }}
        />
        <Select
          label="EU risk tier"
          placeholder="Any"
          data={options(TIERS)}
          value={search.tier ?? null}
          clearable
          onChange={(v) => setSearch({ tier: (v ?? undefined) as InventorySearch['tier'] })}
        />
        <Select
          label="Status"
          placeholder="Any"
          data={options(STATUSES)}
          value={search.status ?? null}
          clearable
          onChange={(v) => setSearch({ status: (v ?? undefined) as InventorySearch['status'] })}
        />
        <Select
          label="Deployment"
          placeholder="Any"
          data={options(KINDS)}
          value={search.kind ?? null}
          clearable
          onChange={(v) => setSearch({ kind: (v ?? undefined) as InventorySearch['kind'] })}
        />
        <Select
          label="Kind of AI"
          placeholder="Any"
          data={options(AI_TYPES)}
          value={search.type ?? null}
          clearable
          onChange={(v) => setSearch({ type: (v ?? undefined) as InventorySearch['type'] })}
        />
        <PersonPicker
          label="Accountable owner"
          description=""
          placeholder="Anyone"
          lazy
          value={search.owner ?? null}
          extra={[{ value: 'none', label: 'Nobody (no owner)' }]}
          onChange={(v) => setSearch({ owner: v ?? undefined })}
        />
        <TextInput
          label="Tag"
          placeholder="Exact tag"
          value={tag}
          onChange={(e) => {
            setTag(e.currentTarget.value);
            applyText({ tag: e.currentTarget.value.trim() || undefined });
          }}
        />
      </SimpleGrid>
      <Group mt="sm" gap="xl" align="flex-start">
        <Checkbox
          label="Review overdue"
          description="Only systems with a mandatory review open past its due date"
          checked={search.reviewOverdue ?? false}
          onChange={(e) => setSearch({ reviewOverdue: e.currentTarget.checked ? true : undefined })}
        />
        <Checkbox
          label="Shadow AI awaiting triage"
          description="Only shadow AI systems nobody has triaged yet"
          checked={search.untriaged ?? false}
          onChange={(e) => setSearch({ untriaged: e.currentTarget.checked ? true : undefined })}
        />
      </Group>
      {Object.keys(search).some((k) => k !== 'sort' && k !== 'size' && k !== 'page') && (
        <Anchor
          component="button"
          type="button"
          size="sm"
          mt="xs"
          onClick={() => {
            setQ('');
            setTag('');
            setSearch({
              q: undefined,
              tier: undefined,
              status: undefined,
              kind: undefined,
              type: undefined,
              owner: undefined,
              tag: undefined,
              reviewOverdue: undefined,
              untriaged: undefined,
            });
          }}
        >
          Clear the filters
        </Anchor>
      )}
    </Paper>
  );
}

function SortHeader({
  label,
  field,
  search,
  setSearch,
}: {
  label: string;
  field: 'name' | 'updatedAt';
  search: InventorySearch;
  setSearch: (change: Partial<InventorySearch>) => void;
}) {
  const sort = search.sort ?? 'name';
  const active = sort === field || sort === `-${field}`;
  const descending = sort === `-${field}`;
  const next = (active && !descending ? `-${field}` : field) as InventorySearch['sort'];
  return (
    <Table.Th aria-sort={active ? (descending ? 'descending' : 'ascending') : 'none'}>
      <UnstyledButton onClick={() => setSearch({ sort: next === 'name' ? undefined : next })} fw={700} fz="sm">
        {label} <span aria-hidden="true">{active ? (descending ? '▼' : '▲') : '↕'}</span>
        <VisuallyHidden>{active ? (descending ? ', sorted descending' : ', sorted ascending') : ', sort'}</VisuallyHidden>
      </UnstyledButton>
    </Table.Th>
  );
}

function SystemsTable({
  items,
  stale,
  search,
  setSearch,
}: {
  items: System[];
  /** The previous page, still shown while the page of new filters or a new sort loads. */
  stale: boolean;
  search: InventorySearch;
  setSearch: (change: Partial<InventorySearch>) => void;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 5,
    initialRect: { width: 1000, height: 16 * ROW_HEIGHT },
  });
  const rows = virtualizer.getVirtualItems();
  const before = rows.length > 0 ? rows[0].start : 0;
  const after = rows.length > 0 ? virtualizer.getTotalSize() - rows[rows.length - 1].end : 0;
  return (
    <Paper
      withBorder
      ref={scroller}
      style={{ maxHeight: 'calc(100vh - 300px)', minHeight: 240, overflow: 'auto' }}
      tabIndex={0}
      role="region"
      aria-label="Systems"
    >
      <Table stickyHeader highlightOnHover aria-rowcount={items.length + 1} aria-busy={stale} data-testid="systems-table">
        <Table.Thead>
          <Table.Tr>
            <SortHeader label="Name" field="name" search={search} setSearch={setSearch} />
            <Table.Th>Status</Table.Th>
            <Table.Th>EU risk tier</Table.Th>
            <Table.Th>Deployment</Table.Th>
            <Table.Th>Accountable owner</Table.Th>
            <Table.Th>Tags</Table.Th>
            <SortHeader label="Last change" field="updatedAt" search={search} setSearch={setSearch} />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {before > 0 && (
            <tr>
              <td colSpan={7} style={{ height: before, padding: 0, border: 0 }} />
            </tr>
          )}
          {rows.map((row) => {
            const system = items[row.index];
            return (
              <Table.Tr key={system.id} aria-rowindex={row.index + 2} style={{ height: ROW_HEIGHT }}>
                <Table.Td>
                  <Anchor
                    renderRoot={(props) => <Link {...props} to="/systems/$systemId" params={{ systemId: system.id }} />}
                    fw={600}
                    size="sm"
                  >
                    {system.name}
                  </Anchor>
                  {system.reviewOverdue && (
                    <Badge ml="xs" color="red" variant="light" size="sm">
                      review overdue
                    </Badge>
                  )}
                </Table.Td>
                <Table.Td>{humanize(system.status)}</Table.Td>
                <Table.Td>
                  <Badge color={TIER_COLOR[system.euRiskTier] ?? 'gray'} variant="light" c="var(--mantine-color-text)">
                    {humanize(system.euRiskTier)}
                  </Badge>
                </Table.Td>
                <Table.Td>{humanize(system.deploymentKind)}</Table.Td>
                <Table.Td>
                  {system.accountableOwnerName ?? (
                    <Text c="dimmed" size="sm">
                      No owner
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Group gap={4} wrap="nowrap">
                    {system.tags.slice(0, 3).map((tag) => (
                      <Badge key={tag} variant="outline" color="gray" size="sm" tt="none">
                        {tag}
                      </Badge>
                    ))}
                    {system.tags.length > 3 && <Text size="xs">+{system.tags.length - 3}</Text>}
                  </Group>
                </Table.Td>
                <Table.Td>
                  <Time value={system.updatedAt} plain />
                </Table.Td>
              </Table.Tr>
            );
          })}
          {after > 0 && (
            <tr>
              <td colSpan={7} style={{ height: after, padding: 0, border: 0 }} />
            </tr>
          )}
        </Table.Tbody>
      </Table>
    </Paper>
  );
}
