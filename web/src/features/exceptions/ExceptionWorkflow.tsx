// An exception's life on one page: where it stands, what was done at each step (triage, root cause,
// corrective actions with their evidence, independent verification, lessons learned and their
// follow-ups), and the next steps this person may take, each a form with its rationale. Writes send
// the version read (If-Match), so a stale page cannot overwrite someone else's step.
import { Alert, Anchor, Badge, Button, Group, Paper, SimpleGrid, Stack, Table, Text, Timeline, Title, VisuallyHidden } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { holds, type Session, useSession } from '../../api/session';
import { Time } from '../../components/Time';
import { humanize, options } from '../systems/labels';
import { systemQuery } from '../systems/queries';
import { Countdown } from './Countdown';
import { closingGaps, type ExceptionDetail, FINAL, NEXT_STEP, SEVERITY_COLOR, STATUS_COLOR, type Status } from './lifecycle';
import { isoFromLocal, localIn, StepDialog, type StepField, type StepValues } from './StepDialog';

const FOLLOW_UP_KINDS = ['policy_update', 'training_need', 'control_change'] as const;
const ORDER: Status[] = ['open', 'triaged', 'investigating', 'remediating', 'verifying', 'closed'];

/** The server's rule (exceptions.service.ts canManage): owner, resolver, system owner, governance lead, admin. */
export function mayManage(session: Session, e: ExceptionDetail): boolean {
  return (
    session.user.id === e.ownerId ||
    session.user.id === e.resolverId ||
    holds(session, ['governance_lead'], undefined) ||
    holds(session, ['system_owner'], e.systemId)
  );
}

interface Dialog {
  title: string;
  submitLabel: string;
  fields: StepField[];
  submit: (values: StepValues) => Promise<unknown>;
}

const ifMatch = (version: number) => ({ 'If-Match': `"${version}"` });
const why = (label = 'Why'): StepField => ({ name: 'reason', label, kind: 'rationale', description: 'Kept in the ledger with the step' });

export function ExceptionWorkflow({ exception: e }: { exception: ExceptionDetail }) {
  const session = useSession();
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const manage = mayManage(session, e);
  const isOpen = !FINAL.includes(e.status);
  const path = { id: e.id };

  const transition = (to: Status, title: string, submitLabel: string, extra: StepField[] = []) =>
    setDialog({
      title,
      submitLabel,
      fields: [...extra, why()],
      submit: (v) =>
        unwrap(
          api.POST('/api/v1/exceptions/{id}/transitions', {
            params: { path, header: ifMatch(e.version) },
            body: { to, reason: v.reason, ...(v.duplicateOf ? { duplicateOf: v.duplicateOf } : {}) },
          }),
        ),
    });
  const next = NEXT_STEP[e.status];
  const gaps = closingGaps(e);
  const isResolver = session.user.id === e.resolverId;
  const mayVerify = !isResolver && (manage || holds(session, ['reviewer']));

  return (
    <Stack>
      <Paper withBorder p="md">
        <Group gap="xs" mb="xs">
          <Badge color={STATUS_COLOR[e.status]} variant="light" data-testid="exception-status">
            {humanize(e.status)}
          </Badge>
          <Badge color={SEVERITY_COLOR[e.severity]} variant="light">
            {e.severity} severity
          </Badge>
          <Badge color="gray" variant="light">
            {humanize(e.kind)}
          </Badge>
          {e.recurring && (
            <Badge color="red" variant="light">
              recurring cause
            </Badge>
          )}
        </Group>
        <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
          {e.description}
        </Text>
        <SimpleGrid cols={{ base: 1, sm: 2, md: 4 }} mt="sm">
          <Fact label="Owner">{e.ownerName ?? e.ownerId}</Fact>
          <Fact label="Resolver">{e.resolverName ?? e.resolverId}</Fact>
          <Fact label="Detected">
            <Time value={e.detectedAt} />
          </Fact>
          <Fact label={isOpen ? 'Due' : 'Closed'}>
            {isOpen ? <Countdown dueAt={e.dueAt} /> : <Time value={e.closedAt ?? e.updatedAt} />}
          </Fact>
        </SimpleGrid>
      </Paper>

      {isOpen && manage && (
        <Paper withBorder p="md" component="section" aria-labelledby="next-steps">
          <Title order={2} size="h4" id="next-steps" mb="xs">
            Next steps
          </Title>
          <Group gap="xs">
            {next && next.to !== 'closed' && <Button onClick={() => transition(next.to, next.label, next.label)}>{next.label}</Button>}
            {['investigating', 'remediating', 'verifying'].includes(e.status) && (
              <Button
                variant={e.rootCause ? 'default' : 'filled'}
                onClick={() =>
                  setDialog({
                    title: e.rootCause ? 'Revise the root cause' : 'Record the root cause',
                    submitLabel: 'Record root cause',
                    fields: [
                      {
                        name: 'category',
                        label: 'Category',
                        kind: 'text',
                        initial: e.rootCause?.category,
                        description: 'e.g. data, model, process, people',
                      },
                      { name: 'text', label: 'Root cause', kind: 'textarea', initial: e.rootCause?.text },
                    ],
                    submit: (v) =>
                      unwrap(
                        api.PUT('/api/v1/exceptions/{id}/root-cause', {
                          params: { path, header: ifMatch(e.version) },
                          body: { category: v.category, text: v.text },
                        }),
                      ),
                  })
                }
              >
                {e.rootCause ? 'Revise the root cause' : 'Record the root cause'}
              </Button>
            )}
            <Button
              variant="default"
              onClick={() =>
                setDialog({
                  title: 'Add a corrective action',
                  submitLabel: 'Add action',
                  fields: [
                    { name: 'description', label: 'Action', kind: 'textarea' },
                    { name: 'ownerId', label: 'Action owner', kind: 'person', initial: session.user.id },
                    { name: 'dueAt', label: 'Due', kind: 'datetime', initial: localIn(7) },
                  ],
                  submit: (v) =>
                    unwrap(
                      api.POST('/api/v1/exceptions/{id}/corrective-actions', {
                        params: { path },
                        body: { description: v.description, ownerId: v.ownerId, dueAt: isoFromLocal(v.dueAt) },
                      }),
                    ),
                })
              }
            >
              Add a corrective action
            </Button>
            <Button
              variant="default"
              onClick={() =>
                setDialog({
                  title: 'Record a lesson learned',
                  submitLabel: 'Record lesson',
                  fields: [
                    { name: 'text', label: 'Lesson', kind: 'textarea' },
                    { name: 'kind', label: 'Follow-up', kind: 'select', options: options(FOLLOW_UP_KINDS), initial: 'policy_update' },
                    {
                      name: 'description',
                      label: 'Follow-up description',
                      kind: 'textarea',
                      optional: true,
                      description: 'Leave empty for no follow-up',
                    },
                    { name: 'ownerId', label: 'Follow-up owner', kind: 'person', initial: session.user.id },
                    { name: 'dueAt', label: 'Follow-up due', kind: 'datetime', initial: localIn(30) },
                  ],
                  submit: (v) =>
                    unwrap(
                      api.POST('/api/v1/exceptions/{id}/lessons', {
                        params: { path },
                        body: {
                          text: v.text,
                          followUps: v.description.trim()
                            ? [
                                {
                                  kind: v.kind as (typeof FOLLOW_UP_KINDS)[number],
                                  description: v.description,
                                  ownerId: v.ownerId,
                                  dueAt: isoFromLocal(v.dueAt),
                                },
                              ]
                            : [],
                        },
                      }),
                    ),
                })
              }
            >
              Record a lesson learned
            </Button>
            {e.status === 'verifying' && (
              <Button variant="default" onClick={() => transition('remediating', 'Back to remediation', 'Send back')}>
                The fix did not hold
              </Button>
            )}
            {e.status === 'verifying' && (
              <Button disabled={gaps.length > 0} onClick={() => transition('closed', 'Close the exception', 'Close exception')}>
                Close the exception
              </Button>
            )}
            <Button variant="subtle" color="red" onClick={() => transition('rejected', 'Reject the exception', 'Reject')}>
              Reject
            </Button>
            <Button
              variant="subtle"
              color="gray"
              onClick={() =>
                transition('duplicate', 'Mark as a duplicate', 'Mark duplicate', [
                  { name: 'duplicateOf', label: 'Id of the original exception', kind: 'text' },
                ])
              }
            >
              Mark duplicate
            </Button>
          </Group>
          {e.status === 'verifying' && gaps.length > 0 && (
            <Text size="sm" c="dimmed" mt="xs">
              Closing needs {gaps.join(', ')}.
            </Text>
          )}
        </Paper>
      )}

      {e.status === 'verifying' && !e.verification && (
        <Alert color="grape" title="Independent verification" variant="light">
          {mayVerify ? (
            <Button
              mt="xs"
              onClick={() =>
                setDialog({
                  title: 'Verify the fix',
                  submitLabel: 'Verify',
                  fields: [
                    { name: 'note', label: 'What you checked', kind: 'rationale', description: 'Kept in the ledger with your name' },
                  ],
                  submit: (v) =>
                    unwrap(
                      api.POST('/api/v1/exceptions/{id}/verify', { params: { path, header: ifMatch(e.version) }, body: { note: v.note } }),
                    ),
                })
              }
            >
              Verify the fix
            </Button>
          ) : (
            <Text size="sm">
              {isResolver
                ? 'You resolved this exception, so someone else must verify the fix.'
                : 'Waiting for the owner, a reviewer, a system owner or a governance lead (not the resolver) to verify the fix.'}
            </Text>
          )}
        </Alert>
      )}

      <Paper withBorder p="md" component="section" aria-labelledby="progress">
        <Title order={2} size="h4" id="progress" mb="sm">
          Progress
        </Title>
        <Timeline active={Math.max(0, ORDER.indexOf(e.status))} bulletSize={18} lineWidth={2}>
          <Timeline.Item title="Raised">
            <Text size="xs" c="dimmed">
              by {e.raisedBy.refName ?? e.raisedBy.ref} · <Time value={e.createdAt} />
            </Text>
          </Timeline.Item>
          <Timeline.Item title="Triaged">
            <StatusMove exception={e} to="triaged" />
          </Timeline.Item>
          <Timeline.Item title="Investigated: root cause">
            {e.rootCause ? (
              <Text size="sm" data-testid="root-cause">
                <strong>{e.rootCause.category}</strong>: {e.rootCause.text}
              </Text>
            ) : (
              <Text size="xs" c="dimmed">
                No root cause yet
              </Text>
            )}
          </Timeline.Item>
          <Timeline.Item title="Remediated: corrective actions">
            <Actions exception={e} manage={manage} open={setDialog} />
          </Timeline.Item>
          <Timeline.Item title="Verified">
            {e.verification ? (
              <Text size="sm" data-testid="verification">
                by <strong>{e.verification.byName ?? e.verification.by}</strong> · <Time value={e.verification.at} />: {e.verification.note}
              </Text>
            ) : (
              <Text size="xs" c="dimmed">
                Not verified yet; the resolver cannot verify their own fix
              </Text>
            )}
          </Timeline.Item>
          <Timeline.Item
            title={e.status === 'closed' ? 'Closed' : humanize(e.status === 'rejected' || e.status === 'duplicate' ? e.status : 'closed')}
          >
            {FINAL.includes(e.status) ? (
              <StatusMove exception={e} to={e.status} />
            ) : (
              e.closedAt && (
                <Text size="xs" c="dimmed">
                  <Time value={e.closedAt} />
                </Text>
              )
            )}
            {e.duplicateOf && <Text size="xs">Duplicate of {e.duplicateOf}</Text>}
          </Timeline.Item>
        </Timeline>
      </Paper>

      <Lessons exception={e} session={session} open={setDialog} />

      {dialog && <StepDialog {...dialog} onClose={() => setDialog(null)} />}
    </Stack>
  );
}

/** Who last moved the exception to `to`, when, and why (its ledger event); nothing before it got there. */
function StatusMove({ exception: e, to }: { exception: ExceptionDetail; to: Status }) {
  const move = e.statusMoves.findLast((m) => m.to === to);
  if (!move) return null;
  return (
    <Text size="xs" c="dimmed" data-testid={`moved-${to}`}>
      by {move.byName ?? move.by ?? 'the system'} · <Time value={move.at} />
      {move.reason ? `: ${move.reason}` : ''}
    </Text>
  );
}

/** A link to the exception's AI system, by its name once known. */
export function SystemLink({ systemId }: { systemId: string }) {
  const system = useQuery(systemQuery(systemId));
  return (
    <Anchor renderRoot={(props) => <Link {...props} to="/systems/$systemId" params={{ systemId }} />} size="sm">
      {system.data?.name ?? 'its AI system'}
    </Anchor>
  );
}

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
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

function Actions({ exception: e, manage, open }: { exception: ExceptionDetail; manage: boolean; open: (d: Dialog) => void }) {
  const session = useSession();
  if (e.correctiveActions.length === 0) {
    return (
      <Text size="xs" c="dimmed">
        No corrective action yet
      </Text>
    );
  }
  return (
    <Table fz="sm" withTableBorder aria-label="Corrective actions">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Action</Table.Th>
          <Table.Th>Owner</Table.Th>
          <Table.Th>Due</Table.Th>
          <Table.Th>Evidence</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {e.correctiveActions.map((a) => (
          <Table.Tr key={a.id}>
            <Table.Td>{a.description}</Table.Td>
            <Table.Td>{a.ownerName ?? a.ownerId}</Table.Td>
            <Table.Td>
              <Countdown dueAt={a.dueAt} done={a.status === 'completed'} />
            </Table.Td>
            <Table.Td>
              {a.status === 'completed' ? (
                <Text size="sm">
                  {a.evidence}{' '}
                  <Text span size="xs" c="dimmed">
                    ({a.completedByName ?? a.completedBy}, <Time value={a.completedAt} />)
                  </Text>
                </Text>
              ) : manage || session.user.id === a.ownerId ? (
                <Button
                  size="compact-xs"
                  variant="light"
                  onClick={() =>
                    open({
                      title: 'Complete the corrective action',
                      submitLabel: 'Complete',
                      fields: [
                        { name: 'evidence', label: 'Evidence', kind: 'textarea', description: 'A link, a ticket, what shows it is done' },
                      ],
                      submit: (v) =>
                        unwrap(
                          api.POST('/api/v1/exceptions/{id}/corrective-actions/{actionId}/complete', {
                            params: { path: { id: e.id, actionId: a.id }, header: ifMatch(a.version) },
                            body: { evidence: v.evidence },
                          }),
                        ),
                    })
                  }
                >
                  Complete<VisuallyHidden> {a.description}</VisuallyHidden>
                </Button>
              ) : (
                <Text size="xs" c="dimmed">
                  open
                </Text>
              )}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function Lessons({ exception: e, session, open }: { exception: ExceptionDetail; session: Session; open: (d: Dialog) => void }) {
  const manage = mayManage(session, e);
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="lessons">
      <Title order={2} size="h4" id="lessons" mb="xs">
        Lessons learned and follow-ups
      </Title>
      {e.lessons.length === 0 ? (
        <Text size="sm" c="dimmed">
          No lesson recorded yet
        </Text>
      ) : (
        <Stack gap="sm">
          {e.lessons.map((l) => (
            <div key={l.id}>
              <Text size="sm" data-testid="lesson">
                {l.text}
              </Text>
              <Text size="xs" c="dimmed">
                {l.createdByName ?? l.createdBy} · <Time value={l.createdAt} />
              </Text>
              {e.followUps
                .filter((f) => f.lessonId === l.id)
                .map((f) => (
                  <Group key={f.id} gap="xs" mt={4} ml="md" data-testid="follow-up">
                    <Badge size="sm" variant="light" color={f.status === 'done' ? 'green' : 'blue'}>
                      {humanize(f.status)}
                    </Badge>
                    <Text size="sm">
                      {humanize(f.kind)}: {f.description} ({f.ownerName ?? f.ownerId})
                    </Text>
                    {f.status !== 'done' && <Countdown dueAt={f.dueAt} />}
                    {f.status === 'done' && f.evidence && (
                      <Text size="xs" c="dimmed">
                        evidence: {f.evidence}
                      </Text>
                    )}
                    {f.status !== 'done' && (manage || session.user.id === f.ownerId || holds(session, ['governance_lead'])) && (
                      <Button
                        size="compact-xs"
                        variant="light"
                        onClick={() =>
                          open({
                            title: 'Mark the follow-up done',
                            submitLabel: 'Mark done',
                            fields: [{ name: 'evidence', label: 'Evidence', kind: 'textarea' }, why()],
                            submit: (v) =>
                              unwrap(
                                api.POST('/api/v1/exceptions/{id}/follow-ups/{followUpId}/transitions', {
                                  params: { path: { id: e.id, followUpId: f.id }, header: ifMatch(f.version) },
                                  body: { to: 'done', reason: v.reason, evidence: v.evidence },
                                }),
                              ),
                          })
                        }
                      >
                        Mark done<VisuallyHidden> {f.description}</VisuallyHidden>
                      </Button>
                    )}
                  </Group>
                ))}
            </div>
          ))}
        </Stack>
      )}
    </Paper>
  );
}
