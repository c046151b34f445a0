// The framework catalogs (ISO/IEC 42001, NIST AI RMF, EU AI Act, GDPR, DORA) and the crosswalks
// between them: data files in catalogs/, versioned with the code, read through this typed loader.
// A control's canonical id is `<framework>:<id in that framework>` (`iso42001:A.9.2`,
// `nist-ai-rmf:GOVERN-1.1`, `eu-ai-act:art-14`, `gdpr:art-33`, `dora:art-19`); the tags older
// ledger events carry (`euaiact:Art.14`, `eu-ai-act:Art.73`, ...) are normalised to it on read.
import crosswalkData from './catalogs/crosswalks.json' with { type: 'json' };
import doraData from './catalogs/dora.json' with { type: 'json' };
import euAiActData from './catalogs/eu-ai-act.json' with { type: 'json' };
import gdprData from './catalogs/gdpr.json' with { type: 'json' };
import isoData from './catalogs/iso42001.json' with { type: 'json' };
import nistData from './catalogs/nist-ai-rmf.json' with { type: 'json' };

export const FRAMEWORK_IDS = ['iso42001', 'nist-ai-rmf', 'eu-ai-act', 'gdpr', 'dora'] as const;
export type FrameworkId = (typeof FRAMEWORK_IDS)[number];

/** When a provision applies: from a date, to a scope of systems; `amendedBy` when an amending act moved it. */
export interface Application {
  scope: string;
  from: string;
  originallyFrom?: string;
  amendedBy?: string;
  note?: string;
}

export interface CatalogEntry {
  /** The id within its framework: `A.9.2`, `GOVERN-1.1`, `art-14`. */
  id: string;
  title: string;
  /** clause | objective | control (ISO); function | category | subcategory (NIST); article | annex (EU law). */
  kind: string;
  parent?: string;
  /** ISO: Proofline's own paraphrase; NIST: the Core text; EU law: Proofline's one-line summary. */
  description: string;
  location?: string;
  applies?: Application[];
}

export interface Catalog {
  id: FrameworkId;
  title: string;
  short: string;
  version: string;
  publisher: string;
  license: string;
  attribution: string;
  source: string;
  catalogVersion: number;
  entryIntoForce?: string;
  amendments?: Array<{ act: string; inForce: string; source: string; note: string }>;
  scopes?: Record<string, string>;
  controls: CatalogEntry[];
}

export interface Control extends CatalogEntry {
  /** The canonical id: `<framework>:<id>`. */
  controlId: string;
  framework: FrameworkId;
}

export type Relationship = 'equal' | 'subset_of' | 'superset_of' | 'intersects_with';

export interface CrosswalkLink {
  from: string;
  to: string;
  relationship: Relationship;
  /** A key of CROSSWALK_SOURCES: where the link comes from. */
  source: string;
  note?: string;
}

const CATALOGS: Record<FrameworkId, Catalog> = {
  iso42001: isoData as Catalog,
  'nist-ai-rmf': nistData as Catalog,
  'eu-ai-act': euAiActData as Catalog,
  gdpr: gdprData as Catalog,
  dora: doraData as Catalog,
};

export const CROSSWALK_SOURCES: Record<string, { title: string; url?: string; note?: string }> = crosswalkData.sources;
export const CROSSWALK_LINKS: readonly CrosswalkLink[] = crosswalkData.links as CrosswalkLink[];

const CONTROLS = new Map<string, Control>();
for (const framework of FRAMEWORK_IDS) {
  for (const entry of CATALOGS[framework].controls) {
    CONTROLS.set(`${framework}:${entry.id}`, { ...entry, controlId: `${framework}:${entry.id}`, framework });
  }
}

const LINKS_OF = new Map<string, CrosswalkLink[]>();
for (const link of CROSSWALK_LINKS) {
  for (const end of [link.from, link.to]) LINKS_OF.set(end, [...(LINKS_OF.get(end) ?? []), link]);
}

export const isFrameworkId = (id: string): id is FrameworkId => (FRAMEWORK_IDS as readonly string[]).includes(id);

export function catalogOf(framework: FrameworkId): Catalog {
  return CATALOGS[framework];
}

/** Every entry of a framework, in catalog order, with canonical ids. */
export function controlsOf(framework: FrameworkId): Control[] {
  return CATALOGS[framework].controls.map((entry) => CONTROLS.get(`${framework}:${entry.id}`) as Control);
}

export function findControl(controlId: string): Control | undefined {
  return CONTROLS.get(controlId);
}

export const isControlId = (controlId: string): boolean => CONTROLS.has(controlId);

/** The crosswalk links that have this control at either end. */
export function crosswalkOf(controlId: string): CrosswalkLink[] {
  return LINKS_OF.get(controlId) ?? [];
}

/** The other end of a link, seen from `controlId`. */
export const otherEnd = (link: CrosswalkLink, controlId: string) => (link.from === controlId ? link.to : link.from);

const FRAMEWORK_ALIASES: Record<string, FrameworkId> = {
  iso42001: 'iso42001',
  'iso-42001': 'iso42001',
  'iso/iec42001': 'iso42001',
  'nist-ai-rmf': 'nist-ai-rmf',
  nistairmf: 'nist-ai-rmf',
  'ai-rmf': 'nist-ai-rmf',
  airmf: 'nist-ai-rmf',
  'eu-ai-act': 'eu-ai-act',
  euaiact: 'eu-ai-act',
  'ai-act': 'eu-ai-act',
  aiact: 'eu-ai-act',
  gdpr: 'gdpr',
  dora: 'dora',
};

const ROMAN = /^[ivxlc]+$/;

/** The id within a framework, in the catalog's spelling, from the ways people and older events write it. */
function localId(framework: FrameworkId, raw: string): string {
  const text = raw.trim();
  if (framework === 'iso42001') return text.replace(/^(?:clause\s*)/i, '').replace(/^[aAbB]\.?(?=\d)/, 'A.');
  if (framework === 'nist-ai-rmf') {
    const m = /^(govern|map|measure|manage)(?:[\s_-]*(\d+)(?:\.(\d+))?)?$/i.exec(text);
    if (!m) return text;
    return [m[1].toUpperCase(), m[2], m[3]]
      .filter(Boolean)
      .join('-')
      .replace(/-(\d+)-(\d+)$/, '-$1.$2');
  }
  const annex = /^annex[\s._-]*([ivxlc]+)$/i.exec(text);
  if (annex && ROMAN.test(annex[1].toLowerCase())) return `annex-${annex[1].toLowerCase()}`;
  // Art.14, Art 14, Article 14, art-14, Art. 26(6) -> art-26: a provision is filed under its article.
  const article = /^(?:art(?:icle)?)?[\s._-]*(\d+)[a-z]?(?:\s*\(.*)?$/i.exec(text);
  if (article) return `art-${Number(article[1])}`;
  return text;
}

/**
 * The canonical id of a control written in any known spelling, or null when it names no control of
 * the catalogs. Legacy ledger tags: `euaiact:Art.14` and `eu-ai-act:Art.14` -> `eu-ai-act:art-14`,
 * `euaiact:AnnexIV` -> `eu-ai-act:annex-iv`, `gdpr:Art.33` -> `gdpr:art-33`.
 *
 * @example normaliseControlId('euaiact:Art.14') === 'eu-ai-act:art-14'
 */
export function normaliseControlId(tag: string): string | null {
  const colon = tag.indexOf(':');
  if (colon < 0) return null;
  const framework = FRAMEWORK_ALIASES[tag.slice(0, colon).trim().toLowerCase().replace(/\s+/g, '')];
  if (!framework) return null;
  const id = `${framework}:${localId(framework, tag.slice(colon + 1))}`;
  return CONTROLS.has(id) ? id : null;
}
