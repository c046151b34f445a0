// Approval request: the chain and its stages, who signed what and when, the content being signed
// with its digest and what changed in the subject since, and the decisions this person may take.
import { Alert, Badge, Button, Group, Paper, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useParams } from '@tanstack/react-router';
import { type ReactNode, useState } from 'react';
import { api, unwrap } from '../../api/client';
import { holds, useSession } from '../../api/session';
import type { Answer } from '../../api/types';
import { AnchorLink } from '../../components/AnchorLink';
import { PageHeader } from '../../components/PageHeader';
import { ScrollableCode } from '../../components/ScrollableCode';
import { ErrorState, Loading } from '../../components/states';
import { Time } from '../../components/Time';
import { type Decision, DecisionDialog } from './DecisionDialog';
import { changeRows, DECISION_LABELS, diffJson, type FieldChange, KIND_LABELS, overdue, show } from './model';
import { queueQuery } from './QueueTab';
import { ReasonDialog } from './ReasonDialog';
import { DueBadge, StatusBadge } from './RequestTable';

type Request = Answer<'getRequest'>;
type Step = Request['chain']['steps'][number];

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm" component="div">
        {children}
      </Text>
    </div>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Paper withBorder p="md" component="section" aria-label={title}>
      <Title order={2} size="h4" mb="sm">
        {title}
      </Title>
      {children}
    </Paper>
  );
}

function stepState(step: Step, openStage: number | null) {
  if (step.complete) return { label: 'Complete', color: 'green' };
  if (openStage === step.stage) return { label: 'Waiting', color: 'yellow' };
  return { label: 'Not yet open', color: 'gray' };
}

function Chain({ request }: { request: Request }) {
  const stages = [...new Set(request.chain.steps.map((s) => s.stage))].sort((a, b) => a - b);
  return (
    <Section title="Approval chain">
      <Text size="sm" mb="sm">
        Policy <code>{request.policy.id}</code> version {request.policy.version}. Steps of one stage run side by side; a stage opens when
        the one before it is complete. {request.chain.complete ? 'Every step is complete.' : ''}
      </Text>
      <Table aria-label="Approval chain">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Stage</Table.Th>
            <Table.Th>Step</Table.Th>
            <Table.Th>Approvals</Table.Th>
            <Table.Th>State</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {stages.flatMap((stage) =>
            request.chain.steps
              .filter((s) => s.stage === stage)
              .map((step) => {
                const state = stepState(step, request.chain.openStage);
                return (
                  <Table.Tr key={step.index}>
                    <Table.Td>{stage}</Table.Td>
                    <Table.Td>{step.name}</Table.Td>
                    <Table.Td>
                      {step.approvals} of {step.required}
                      {step.expired > 0 ? ` (${step.expired} expired)` : ''}
                    </Table.Td>
                    <Table.Td>
                      <Badge variant="light" color={state.color}>
                        {state.label}
                      </Badge>
                    </Table.Td>
                  </Table.Tr>
                );
              }),
          )}
        </Table.Tbody>
      </Table>
    </Section>
  );
}

function Signatures({ request }: { request: Request }) {
  const stepName = (index: number | null) => request.chain.steps.find((s) => s.index === index)?.name ?? '—';
  return (
    <Section title="Signatures">
      <Table.ScrollContainer minWidth={760}>
        <Table aria-label="Signatures" verticalSpacing="xs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Who</Table.Th>
              <Table.Th>Step</Table.Th>
              <Table.Th>Decision</Table.Th>
              <Table.Th>Rationale</Table.Th>
              <Table.Th>When</Table.Th>
              <Table.Th>Signed digest</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            <Table.Tr>
              <Table.Td>{request.requestedByName ?? request.requestedBy}</Table.Td>
              <Table.Td>Requester</Table.Td>
              <Table.Td>
                <Badge variant="light" color="gray">
                  Filed
                </Badge>
              </Table.Td>
              <Table.Td>{request.justification}</Table.Td>
              <Table.Td>
                <Time value={request.createdAt} />
              </Table.Td>
              <Table.Td>—</Table.Td>
            </Table.Tr>
            {request.decisions.map((d) => (
              <Table.Tr key={d.id}>
                <Table.Td>
                  {d.approver.name}
                  {d.onBehalfOf && (
                    <Text size="xs" c="dimmed">
                      on behalf of {d.onBehalfOf.name}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  {stepName(d.stepIndex)}
                  <Text size="xs" c="dimmed">
                    as {d.approverRole}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Badge variant="light" color={d.decision === 'approve' ? 'green' : d.decision === 'reject' ? 'red' : 'orange'}>
                    {DECISION_LABELS[d.decision] ?? d.decision}
                  </Badge>
                  {d.decision === 'approve' && !d.counts && (
                    <Text size="xs" c="dimmed">
                      {d.expired ? 'expired' : `revision ${d.revision}: no longer counts`}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>{d.rationale}</Table.Td>
                <Table.Td>
                  <Time value={d.decidedAt} />
                  {d.validUntil && (
                    <Text size="xs" c="dimmed">
                      valid until <Time value={d.validUntil} />
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <code title={d.contentDigest}>{d.contentDigest.slice(0, 12)}…</code>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {request.decisions.length === 0 && (
        <Text size="sm" c="dimmed" mt="xs">
          Nobody has decided yet.
        </Text>
      )}
    </Section>
  );
}

function ChangeTable({
  rows,
  label,
  beforeLabel,
  afterLabel,
}: {
  rows: FieldChange[];
  label: string;
  beforeLabel: string;
  afterLabel: string;
}) {
  return (
    <Table.ScrollContainer minWidth={600}>
      <Table aria-label={label}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Field</Table.Th>
            <Table.Th>{beforeLabel}</Table.Th>
            <Table.Th>{afterLabel}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((row) => (
            <Table.Tr key={row.path}>
              <Table.Td>
                <code>{row.path}</code>
              </Table.Td>
              <Table.Td>{show(row.before)}</Table.Td>
              <Table.Td>{show(row.after)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function Content({ request }: { request: Request }) {
  const content = request.content as { subject?: { snapshot?: unknown }; change?: unknown };
  const since = diffJson(content.subject?.snapshot ?? null, request.currentSnapshot ?? null);
  const open = request.status === 'pending' || request.status === 'changes_requested';
  return (
    <Section title="What is signed">
      <Stack>
        <div>
          <Text size="sm" fw={600}>
            Content digest (SHA-256 of the canonical JSON, revision {request.revision})
          </Text>
          <ScrollableCode label="Content digest">{request.contentDigest}</ScrollableCode>
        </div>
        <div>
          <Text size="sm" fw={600} mb={4}>
            The change asked for
          </Text>
          <ChangeTable rows={changeRows(content.change)} label="The change asked for" beforeLabel="From (when filed)" afterLabel="To" />
        </div>
        <div>
          <Text size="sm" fw={600} mb={4}>
            The subject now, against the snapshot that is signed
          </Text>
          {since.length === 0 ? (
            <Text size="sm">Unchanged: the subject is as it was when this revision was filed.</Text>
          ) : (
            <>
              <Alert color={open && !request.appliedAt ? 'orange' : 'blue'} mb="xs">
                {request.appliedAt
                  ? 'The change was applied: the subject now differs from the signed snapshot as below.'
                  : open
                    ? 'The subject changed since this revision was filed. Approvers sign the snapshot; the requester may revise the request to sign the subject as it is now.'
                    : 'The subject changed since this request was decided.'}
              </Alert>
              <ChangeTable rows={since} label="Changes since the snapshot" beforeLabel="Signed snapshot" afterLabel="Now" />
            </>
          )}
        </div>
        <div>
          <Text size="sm" fw={600} mb={4}>
            The content being signed
          </Text>
          <ScrollableCode label="Content being signed (JSON)">{JSON.stringify(request.content, null, 2)}</ScrollableCode>
        </div>
      </Stack>
    </Section>
  );
}

/** The subject's name as the signed snapshot recorded it (a system's or a model version's label). */
function subjectName(request: Request): string | null {
  const snapshot = (request.content as { subject?: { snapshot?: { name?: unknown; label?: unknown } | null } }).subject?.snapshot;
  const name = snapshot?.name ?? snapshot?.label;
  return typeof name === 'string' ? name : null;
}

function Summary({ request }: { request: Request }) {
  return (
    <Section title="Request">
      <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }} spacing="sm" mb="sm">
        <Fact label="Requested by">
          {request.requestedByName ?? request.requestedBy}, <Time value={request.createdAt} />
        </Fact>
        <Fact label="Kind">{KIND_LABELS[request.kind] ?? request.kind}</Fact>
        <Fact label="Subject">
          {request.subject.type === 'ai_system' ? (
            <AnchorLink to="/systems/$systemId" params={{ systemId: request.subject.id }}>
              {subjectName(request) ?? `AI system ${request.subject.id.slice(0, 8)}`}
            </AnchorLink>
          ) : (
            `${request.subject.type.replace('_', ' ')} ${subjectName(request) ?? request.subject.id}`
          )}
        </Fact>
        {request.systemId && request.subject.type !== 'ai_system' && (
          <Fact label="AI system">
            <AnchorLink to="/systems/$systemId" params={{ systemId: request.systemId }}>
              {request.systemId.slice(0, 8)}
            </AnchorLink>
          </Fact>
        )}
        <Fact label="Revision">
          {request.revision}, <Time value={request.revisedAt} />
        </Fact>
        <Fact label="Completed">
          <Time value={request.completedAt} />
        </Fact>
        {request.validUntil && (
          <Fact label="Approval valid until">
            <Time value={request.validUntil} />
          </Fact>
        )}
        {request.appliedAt && (
          <Fact label="Change applied">
            <Time value={request.appliedAt} />
          </Fact>
        )}
      </SimpleGrid>
      <Fact label="Justification">{request.justification}</Fact>
    </Section>
  );
}

function Emergency({ request }: { request: Request }) {
  const e = request.emergency;
  if (!e) return null;
  const late = request.status === 'pending' && overdue(e.retrospectiveDueAt);
  return (
    <Alert color={late ? 'red' : 'orange'} title="Made as an emergency change, before its approval">
      <Stack gap={4}>
        <Text size="sm">
          {e.byName ?? e.by} made the change at <Time value={e.at} />: {e.reason}
        </Text>
        {request.status === 'pending' && (
          <Group gap="xs">
            <Text size="sm">Retrospective approval due:</Text>
            <DueBadge dueAt={e.retrospectiveDueAt} />
            {e.escalatedAt && (
              <Text size="sm">
                (escalated <Time value={e.escalatedAt} />)
              </Text>
            )}
          </Group>
        )}
        {e.exceptionId && (
          <AnchorLink to="/exceptions/$exceptionId" params={{ exceptionId: e.exceptionId }} size="sm" c="inherit" underline="always">
            The exception it opened
          </AnchorLink>
        )}
      </Stack>
    </Alert>
  );
}

type ReasonAction = 'withdraw' | 'emergency' | 'revise';
const REASON_ACTIONS: Record<ReasonAction, { title: string; explanation: string; submit: string; done: string }> = {
  withdraw: {
    title: 'Withdraw this request',
    explanation: 'The request closes; nothing is changed.',
    submit: 'Withdraw',
    done: 'Request withdrawn',
  },
  emergency: {
    title: 'Proceed as an emergency change',
    explanation: 'The change is applied now, before its approval. It opens an exception, and its retrospective approval becomes due.',
    submit: 'Make the emergency change',
    done: 'Emergency change made: its retrospective approval is due',
  },
  revise: {
    title: 'Revise this request',
    explanation:
      'The same change is signed again against the subject as it is now: a new revision with a new digest. Approvals given so far stop counting and the chain starts again.',
    submit: 'Revise',
    done: 'Request revised: the chain starts again',
  },
};

export function ApprovalRequestPage() {
  const { requestId } = useParams({ from: '/signed-in/approvals/$requestId' });
  const session = useSession();
  const queryClient = useQueryClient();
  const [decision, setDecision] = useState<Decision | null>(null);
  const [reasonFor, setReasonFor] = useState<ReasonAction | null>(null);
  const request = useQuery({
    queryKey: ['approvals', 'request', requestId],
    queryFn: () => unwrap(api.GET('/api/v1/approvals/requests/{id}', { params: { path: { id: requestId } } })),
  });
  const queue = useQuery(queueQuery);
  const act = useMutation({
    mutationFn: async ({ kind, reason, version }: { kind: ReasonAction; reason: string; version: number }): Promise<void> => {
      const path = { id: requestId };
      if (kind === 'withdraw') await unwrap(api.POST('/api/v1/approvals/requests/{id}/withdraw', { params: { path }, body: { reason } }));
      else if (kind === 'emergency')
        await unwrap(api.POST('/api/v1/approvals/requests/{id}/emergency', { params: { path }, body: { reason } }));
      // If-Match: the version this page read, so a revision never overwrites one made meanwhile.
      else
        await unwrap(
          api.POST('/api/v1/approvals/requests/{id}/revisions', {
            params: { path, header: { 'If-Match': `"${version}"` } },
            body: { reason },
          }),
        );
    },
    onSuccess: async (_, { kind }) => {
      notifications.show({ color: 'green', message: REASON_ACTIONS[kind].done });
      setReasonFor(null);
      await queryClient.invalidateQueries({ queryKey: ['approvals'] });
    },
  });
  if (request.isPending) return <Loading />;
  if (request.isError) return <ErrorState error={request.error} title="This request cannot be shown" />;
  const r = request.data;
  const mine = r.requestedBy === session.user.id;
  // The server's queue says which open steps this person may fill (in their own right or as a delegate).
  const mySteps = (queue.data?.items ?? []).filter((item) => item.requestId === r.id && item.revision === r.revision);
  const mayDecide = r.status === 'pending' && mySteps.length > 0;
  const open = r.status === 'pending' || r.status === 'changes_requested';
  const mayWithdraw = mine && open && !r.emergency;
  // A revision re-signs the change against the subject as it is now (frozen once it was applied).
  const mayRevise = mine && open && !r.appliedAt;
  const mayEmergency =
    r.status === 'pending' && !r.emergency && r.systemId !== null && holds(session, ['governance_lead', 'system_owner'], r.systemId);
  return (
    <>
      <PageHeader
        title={r.title}
        description={
          <Group gap="xs" component="span">
            <StatusBadge status={r.status} />
            <span>{KIND_LABELS[r.kind] ?? r.kind}</span>
          </Group>
        }
        actions={
          <>
            {mayDecide && (
              <>
                <Button onClick={() => setDecision('approve')}>Approve</Button>
                <Button variant="default" onClick={() => setDecision('request_changes')}>
                  Request changes
                </Button>
                <Button color="red" variant="light" onClick={() => setDecision('reject')}>
                  Reject
                </Button>
              </>
            )}
            {mayRevise && (
              <Button variant="default" onClick={() => setReasonFor('revise')}>
                Revise
              </Button>
            )}
            {mayWithdraw && (
              <Button variant="default" onClick={() => setReasonFor('withdraw')}>
                Withdraw
              </Button>
            )}
            {mayEmergency && (
              <Button color="orange" variant="light" onClick={() => setReasonFor('emergency')}>
                Proceed as emergency
              </Button>
            )}
          </>
        }
      />
      <Stack>
        {mine && r.status === 'pending' && (
          <Alert color="blue" title="You filed this request">
            Someone else decides it: the requester never approves their own request.
          </Alert>
        )}
        {queue.isError && <ErrorState error={queue.error} title="Your queue could not be read; decisions are not offered" />}
        <Emergency request={r} />
        <Summary request={r} />
        <Chain request={r} />
        <Signatures request={r} />
        <Content request={r} />
      </Stack>
      <DecisionDialog request={r} decision={decision} steps={mySteps} onClose={() => setDecision(null)} />
      <ReasonDialog
        key={reasonFor ?? 'closed'}
        opened={reasonFor !== null}
        title={reasonFor ? REASON_ACTIONS[reasonFor].title : ''}
        explanation={reasonFor ? REASON_ACTIONS[reasonFor].explanation : ''}
        submitLabel={reasonFor ? REASON_ACTIONS[reasonFor].submit : ''}
        color={reasonFor === 'emergency' ? 'orange' : undefined}
        pending={act.isPending}
        error={act.error}
        onSubmit={(reason) => reasonFor && act.mutate({ kind: reasonFor, reason, version: r.version })}
        onClose={() => {
          setReasonFor(null);
          act.reset();
        }}
      />
    </>
  );
}
