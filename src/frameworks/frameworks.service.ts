// Reading the catalogs: what the API and the CLI (`proofline frameworks ...`) present.
import { AppError } from '../errors.js';
import type { PageOf } from '../server/http.js';
import { type Control, catalogOf, controlsOf, crosswalkOf, FRAMEWORK_IDS, type FrameworkId, isFrameworkId, otherEnd } from './catalog.js';
import { eventTypesEvidencing } from './event-controls.js';

export function listFrameworks() {
  return FRAMEWORK_IDS.map((id) => {
    const { controls, scopes: _scopes, ...catalog } = catalogOf(id);
    const kinds: Record<string, number> = {};
    for (const entry of controls) kinds[entry.kind] = (kinds[entry.kind] ?? 0) + 1;
    return { ...catalog, controlCount: controls.length, kinds };
  });
}

export function requireFramework(id: string): FrameworkId {
  if (!isFrameworkId(id))
    throw new AppError('not_found', `framework ${id} does not exist`, { resource: 'framework', id, known: [...FRAMEWORK_IDS] });
  return id;
}

/** A control as the API shows it: canonical ids throughout, links seen from this control. */
export function presentControl(control: Control) {
  return {
    controlId: control.controlId,
    framework: control.framework,
    id: control.id,
    title: control.title,
    kind: control.kind,
    parent: control.parent === undefined ? null : `${control.framework}:${control.parent}`,
    description: control.description,
    ...(control.location === undefined ? {} : { location: control.location }),
    ...(control.applies === undefined ? {} : { applies: control.applies }),
    crosswalk: crosswalkOf(control.controlId).map((link) => ({
      controlId: otherEnd(link, control.controlId),
      relationship: link.from === control.controlId ? link.relationship : inverse(link.relationship),
      source: link.source,
      ...(link.note === undefined ? {} : { note: link.note }),
    })),
    evidencedBy: eventTypesEvidencing(control.controlId),
  };
}

const inverse = (relationship: string) =>
  relationship === 'subset_of' ? 'superset_of' : relationship === 'superset_of' ? 'subset_of' : relationship;

export function listControls({
  framework,
  kind,
  limit,
  offset,
}: {
  framework: string;
  kind?: string;
  limit: number;
  offset: number;
}): PageOf<ReturnType<typeof presentControl>> {
  const all = controlsOf(requireFramework(framework)).filter((c) => kind === undefined || c.kind === kind);
  return { items: all.slice(offset, offset + limit).map(presentControl), total: all.length, limit, offset };
}
