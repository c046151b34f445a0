// OSCAL 1.0.6 documents of a pack: assessment results (a finding per control, from its status) and
// a plan of action and milestones (an item per control without evidence). The NIST JSON schemas
// are in ./oscal-schemas/ (copied with attribution) and the tests validate against them with Ajv.
import { v4 as uuidv4 } from 'uuid';
import type { ControlStatus } from './control-status.js';
import type { PackScope } from './pack-format.js';

const OSCAL_VERSION = '1.0.6';

/** OSCAL control ids are tokens (no colon): `iso42001:A.9.2` -> `iso42001_A.9.2`. */
export const oscalControlId = (controlId: string) => controlId.replace(/[^\p{L}\p{N}._-]/gu, '_');

function metadata(title: string, generatedAt: string) {
  return { title, 'last-modified': generatedAt, version: '1', 'oscal-version': OSCAL_VERSION };
}

const describeScope = (scope: PackScope) =>
  `${scope.kind}${scope.id ? ` ${scope.id}` : ''}${scope.from || scope.to ? ` from ${scope.from ?? 'the start'} to ${scope.to ?? 'now'}` : ''}`;

export function assessmentResults({
  statuses,
  scope,
  generatedAt,
  packId,
}: {
  statuses: ControlStatus[];
  scope: PackScope;
  generatedAt: string;
  packId: string;
}) {
  return {
    'assessment-results': {
      uuid: uuidv4(),
      metadata: metadata(`Proofline evidence pack ${packId}: assessment results`, generatedAt),
      'import-ap': { href: `#${packId}` },
      results: [
        {
          uuid: uuidv4(),
          title: `Control status for ${describeScope(scope)}`,
          description: 'Derived from the signed Proofline ledger: a control is satisfied when events in scope evidence it.',
          start: generatedAt,
          'reviewed-controls': {
            'control-selections': [{ 'include-controls': statuses.map((s) => ({ 'control-id': oscalControlId(s.controlId) })) }],
          },
          findings: statuses.map((s) => ({
            uuid: uuidv4(),
            title: `${s.controlId} ${s.title}`,
            description: s.evidence.length
              ? `Evidenced by ${s.evidence.map((e) => `${e.events} ${e.eventType}`).join(', ')} (ledger/events.jsonl).`
              : 'No evidence event in scope.',
            target: {
              type: 'objective-id',
              'target-id': oscalControlId(s.controlId),
              status: { state: s.state === 'no_evidence' ? 'not-satisfied' : 'satisfied' },
            },
          })),
        },
      ],
    },
  };
}

export function planOfActionAndMilestones({
  statuses,
  generatedAt,
  packId,
}: {
  statuses: ControlStatus[];
  generatedAt: string;
  packId: string;
}) {
  const gaps = statuses.filter((s) => s.state === 'no_evidence');
  return {
    'plan-of-action-and-milestones': {
      uuid: uuidv4(),
      metadata: metadata(`Proofline evidence pack ${packId}: plan of action and milestones`, generatedAt),
      'poam-items': gaps.map((s) => ({
        uuid: uuidv4(),
        title: `Evidence missing for ${s.controlId}`,
        description: `${s.title}: no ledger event in scope evidences this control at ${generatedAt}.`,
      })),
    },
  };
}
