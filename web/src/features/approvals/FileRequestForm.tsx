// Filing an approval request: a kind, its subject (an AI system, or one of its model versions), a
// title, the justification and the change asked for, as the API's createRequest takes them. The
// server builds the content to sign (a snapshot of the subject plus the change) and its digest.
import { Button, Checkbox, Select, Stack, Textarea, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import type { Body } from '../../api/types';
import { ErrorState } from '../../components/states';
import { KIND_LABELS, MIN_RATIONALE, visibleLength } from './model';

type NewRequest = Body<'createRequest'>;
type Change = NonNullable<NewRequest['change']>;
type TargetStatus = NonNullable<Change['targetStatus']>;

/** The kinds this form files (a policy change edits a chain of steps: the CLI or API does that). */
const FORM_KINDS = [
  'system_use',
  'intended_use_change',
  'risk_tier_change',
  'data_source_change',
  'model_deployment',
  'system_retirement',
] as const satisfies readonly NewRequest['kind'][];
type FormKind = (typeof FORM_KINDS)[number];

const TARGETS: { value: TargetStatus; label: string }[] = [
  { value: 'approved_for_use', label: 'Approved for use' },
  { value: 'in_production', label: 'In production' },
  { value: 'in_validation', label: 'Back to validation' },
  { value: 'in_development', label: 'Back to development' },
  { value: 'proposed', label: 'Back to proposed' },
];
const TIERS = ['high', 'limited', 'minimal', 'unassessed', 'prohibited'].map((t) => ({ value: t, label: t }));

function SystemPicker({ value, onChange }: { value: string; onChange: (id: string) => void }) {
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search, 300);
  const systems = useQuery({
    queryKey: ['systems', 'pick', q],
    queryFn: () => unwrap(api.GET('/api/v1/systems', { params: { query: { limit: 20, ...(q ? { q } : {}) } } })),
  });
  return (
    <Select
      label="AI system"
      required
      searchable
      searchValue={search}
      onSearchChange={setSearch}
      filter={({ options }) => options}
      nothingFoundMessage={systems.isPending ? 'Searching…' : 'No system matches'}
      data={(systems.data?.items ?? []).map((s) => ({ value: s.id, label: `${s.name} (${s.status}, ${s.euRiskTier})` }))}
      value={value || null}
      onChange={(id) => onChange(id ?? '')}
      error={systems.isError ? systems.error.message : undefined}
    />
  );
}

function ModelVersionPicker({ systemId, value, onChange }: { systemId: string; value: string; onChange: (id: string) => void }) {
  const versions = useQuery({
    queryKey: ['systems', systemId, 'model-versions'],
    queryFn: () => unwrap(api.GET('/api/v1/systems/{id}/model-versions', { params: { path: { id: systemId } } })),
    enabled: systemId !== '',
  });
  return (
    <Select
      label="Model version to deploy"
      required
      disabled={!systemId}
      data={(versions.data ?? []).filter((m) => m.status === 'registered').map((m) => ({ value: m.id, label: m.label }))}
      nothingFoundMessage="No registered model version"
      value={value || null}
      onChange={(id) => onChange(id ?? '')}
      error={versions.isError ? versions.error.message : undefined}
    />
  );
}

export function FileRequestForm({ systemId: initialSystem = '', onDone }: { systemId?: string; onDone: () => void }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [kind, setKind] = useState<FormKind>('system_use');
  const [systemId, setSystemId] = useState(initialSystem);
  const [modelVersionId, setModelVersionId] = useState('');
  const [title, setTitle] = useState('');
  const [justification, setJustification] = useState('');
  const [targetStatus, setTargetStatus] = useState<TargetStatus>('approved_for_use');
  const [intendedUse, setIntendedUse] = useState('');
  const [euRiskTier, setEuRiskTier] = useState('limited');
  const [legalRationale, setLegalRationale] = useState('');
  const [dataSource, setDataSource] = useState({ name: '', kind: '', provenance: '', containsPersonalData: false });

  const change = (): Change | undefined => {
    switch (kind) {
      case 'system_use':
        return { targetStatus };
      case 'intended_use_change':
        return { intendedUse };
      case 'risk_tier_change':
        return { euRiskTier, ...(legalRationale.trim() ? { legalRationale } : {}) };
      case 'data_source_change':
        return {
          dataSourceAction: 'add',
          dataSource: {
            name: dataSource.name,
            ...(dataSource.kind ? { kind: dataSource.kind } : {}),
            ...(dataSource.provenance ? { provenance: dataSource.provenance } : {}),
            containsPersonalData: dataSource.containsPersonalData,
          },
        };
      default:
        return undefined;
    }
  };
  const file = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/v1/approvals/requests', {
          body: {
            kind,
            subjectId: kind === 'model_deployment' ? modelVersionId : systemId,
            title,
            justification,
            ...(change() ? { change: change() } : {}),
          },
        }),
      ),
    onSuccess: async (request) => {
      notifications.show({ color: 'green', message: `Request filed: ${request.title}` });
      await queryClient.invalidateQueries({ queryKey: ['approvals'] });
      onDone();
      await navigate({ to: '/approvals/$requestId', params: { requestId: request.id } });
    },
  });
  const subjectMissing = !systemId || (kind === 'model_deployment' && !modelVersionId);
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        file.mutate();
      }}
    >
      <Stack>
        {file.isError && <ErrorState error={file.error} title="The request was not filed" />}
        <Select
          label="Kind of request"
          required
          allowDeselect={false}
          data={FORM_KINDS.map((k) => ({ value: k, label: KIND_LABELS[k] }))}
          value={kind}
          onChange={(k) => k && setKind(k as FormKind)}
        />
        <SystemPicker value={systemId} onChange={setSystemId} />
        {kind === 'model_deployment' && <ModelVersionPicker systemId={systemId} value={modelVersionId} onChange={setModelVersionId} />}
        {kind === 'system_use' && (
          <Select
            label="Move the system to"
            required
            allowDeselect={false}
            data={TARGETS}
            value={targetStatus}
            onChange={(v) => v && setTargetStatus(v as TargetStatus)}
          />
        )}
        {kind === 'intended_use_change' && (
          <Textarea
            label="New intended use"
            required
            autosize
            minRows={2}
            value={intendedUse}
            onChange={(e) => setIntendedUse(e.currentTarget.value)}
          />
        )}
        {kind === 'risk_tier_change' && (
          <>
            <Select
              label="New EU risk tier"
              required
              allowDeselect={false}
              data={TIERS}
              value={euRiskTier}
              onChange={(v) => v && setEuRiskTier(v)}
            />
            <Textarea
              label="Legal rationale"
              description="Required when the system leaves the prohibited tier"
              autosize
              minRows={2}
              value={legalRationale}
              onChange={(e) => setLegalRationale(e.currentTarget.value)}
            />
          </>
        )}
        {kind === 'data_source_change' && (
          <>
            <TextInput
              label="New data source"
              required
              value={dataSource.name}
              onChange={(e) => setDataSource({ ...dataSource, name: e.currentTarget.value })}
            />
            <TextInput
              label="Kind of data"
              value={dataSource.kind}
              onChange={(e) => setDataSource({ ...dataSource, kind: e.currentTarget.value })}
            />
            <TextInput
              label="Provenance"
              value={dataSource.provenance}
              onChange={(e) => setDataSource({ ...dataSource, provenance: e.currentTarget.value })}
            />
            <Checkbox
              label="Contains personal data"
              checked={dataSource.containsPersonalData}
              onChange={(e) => setDataSource({ ...dataSource, containsPersonalData: e.currentTarget.checked })}
            />
          </>
        )}
        <TextInput
          label="Title"
          description="What changes, in one line"
          required
          value={title}
          onChange={(e) => setTitle(e.currentTarget.value)}
        />
        <Textarea
          label="Justification"
          description={`Why, for the approvers: at least ${MIN_RATIONALE} visible characters (${visibleLength(justification)} so far)`}
          required
          autosize
          minRows={3}
          value={justification}
          onChange={(e) => setJustification(e.currentTarget.value)}
        />
        <Button
          type="submit"
          loading={file.isPending}
          disabled={subjectMissing || !title.trim() || visibleLength(justification) < MIN_RATIONALE}
        >
          File the request
        </Button>
      </Stack>
    </form>
  );
}
