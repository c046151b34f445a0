// OSCAL 1.0.6 documents of a pack: assessment results (a finding per control, from its live status
// at generation) and a plan of action and milestones (an item per control not satisfied, with its
// reasons). The NIST JSON schemas
// are in ./oscal-schemas/ (copied with attribution) and the tests validate against them with Ajv.
import { v4 as uuidv4 } from 'uuid';
import { type FrameworkStatus, type LiveControlStatus, reasonsOf, statusItems } from './control-status.js';
import type { PackScope } from './pack-format.js';

const OSCAL_VERSION = '1.0.6';

/** OSCAL control ids are tokens (no colon): `iso42001:A.9.2` -> `iso42001_A.9.2`. */
export const oscalControlId = (controlId: string) => controlId.replace(/[^\p{L}\p{N}._-]/gu, '_');

function metadata(title: string, generatedAt: string) {
  return { title, 'last-modified': generatedAt, version: '1', 'oscal-version': OSCAL_VERSION };
}

const describeScope = (scope: PackScope) =>
  `${scope.kind}${scope.id ? ` ${scope.id}` : ''}${scope.from || scope.to ? ` from ${scope.from ?? 'the start'} to ${scope.to ?? 'now'}` : ''}`;

/** Where Proofline's own property names live (OSCAL props outside the OSCAL namespace). */
export const PROOFLINE_OSCAL_NS = 'https://proofline.dev/ns/oscal';

/** A live status as an OSCAL objective status: only satisfied is "satisfied"; partly and not
 * satisfied are "not-satisfied" (fail); not applicable (excluded by the SoA, no system the rule
 * applies to, or manual) is "satisfied" with reason "other" and the reason in the remarks. The
 * live status itself is the finding target's `status` property. */
function objectiveStatus(item: LiveControlStatus) {
  const reasons = reasonsOf(item);
  if (item.status === 'satisfied') return { state: 'satisfied', reason: 'pass' };
  if (item.status === 'not_applicable')
    return { state: 'satisfied', reason: 'other', remarks: `not applicable: ${reasons.join('; ') || 'no reason given'}` };
  return { state: 'not-satisfied', reason: 'fail', ...(reasons.length ? { remarks: reasons.join('; ') } : {}) };
}

const statusWords = (status: string) => status.replace('_', ' ');

export function assessmentResults({
  status,
  scope,
  generatedAt,
  packId,
}: {
  status: { frameworks: readonly FrameworkStatus[] };
  scope: PackScope;
  generatedAt: string;
  packId: string;
}) {
  const items = statusItems(status);
  return {
    'assessment-results': {
      uuid: uuidv4(),
      metadata: metadata(`Proofline evidence pack ${packId}: assessment results`, generatedAt),
      'import-ap': { href: `#${packId}` },
      results: [
        {
          uuid: uuidv4(),
          title: `Control status for ${describeScope(scope)}`,
          description:
            "The live control status at generation (controls/status.json): the evidence rules evaluated on the records, the Statement of Applicability, each system's conditions and reasons.",
          start: generatedAt,
          'reviewed-controls': {
            'control-selections': [{ 'include-controls': items.map((s) => ({ 'control-id': oscalControlId(s.controlId) })) }],
          },
          findings: items.map((s) => ({
            uuid: uuidv4(),
            title: `${s.controlId} ${s.title}`,
            description: `${statusWords(s.status)} (${s.basis}${s.derivedFrom.length ? ` from ${s.derivedFrom.join(', ')}` : ''}) at ${generatedAt}${
              reasonsOf(s).length ? `: ${reasonsOf(s).join('; ')}` : ''
            }`,
            target: {
              type: 'objective-id',
              'target-id': oscalControlId(s.controlId),
              props: [{ name: 'status', ns: PROOFLINE_OSCAL_NS, value: s.status }],
              status: objectiveStatus(s),
            },
          })),
        },
      ],
    },
  };
}

/** The controls a POA&M lists: those not satisfied, wholly or partly. */
export const needsAction = (item: LiveControlStatus) => item.status === 'not_satisfied' || item.status === 'partly';

export function planOfActionAndMilestones({
  status,
  generatedAt,
  packId,
}: {
  status: { frameworks: readonly FrameworkStatus[] };
  generatedAt: string;
  packId: string;
}) {
  const items = statusItems(status)
    .filter(needsAction)
    .map((s) => ({
      uuid: uuidv4(),
      title: `${s.controlId} ${statusWords(s.status)}`,
      description: `${s.title}: ${statusWords(s.status)} at ${generatedAt}: ${reasonsOf(s).join('; ') || 'no reason recorded'}.`,
      props: [
        { name: 'control-id', ns: PROOFLINE_OSCAL_NS, value: s.controlId },
        { name: 'status', ns: PROOFLINE_OSCAL_NS, value: s.status },
      ],
    }));
  return {
    'plan-of-action-and-milestones': {
      uuid: uuidv4(),
      metadata: metadata(`Proofline evidence pack ${packId}: plan of action and milestones`, generatedAt),
      // OSCAL asks for at least one item: with nothing to act on, the one item says so.
      'poam-items': items.length
        ? items
        : [
            {
              uuid: uuidv4(),
              title: 'No open action',
              description: `Every control in scope is satisfied or not applicable at ${generatedAt}.`,
            },
          ],
    },
  };
}
