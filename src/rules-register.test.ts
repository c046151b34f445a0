// The rules register (docs/RULES.md) stays complete and true: every rule names tests that exist,
// every code it cites is a real error code, and every business error code is some rule's.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ERROR_STATUS } from './errors.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REGISTER = 'docs/RULES.md';
const GAP_SECTION = 'Rules being built';
/** Codes that name no business rule: they answer for the machine, not for a control. */
const GENERIC_CODES = new Set(['internal_error', 'unavailable']);

interface TestRef {
  file: string;
  title: string;
}

interface Rule {
  id: string;
  line: number;
  inGapSection: boolean;
  codes: string[];
  tests: TestRef[];
  beingBuilt: boolean;
}

/** Reads the register's rules: `- **ID** sentence`, then `  - codes:` and `  - test:` lines. */
export function parseRegister(text: string): { rules: Rule[]; problems: string[] } {
  const rules: Rule[] = [];
  const problems: string[] = [];
  let section = '';
  let current: Rule | null = null;
  let inFence = false;
  text.split('\n').forEach((line, index) => {
    const at = index + 1;
    if (line.startsWith('```')) inFence = !inFence;
    if (inFence) return;
    const heading = line.match(/^##\s+(.*)$/);
    if (heading) {
      section = heading[1].trim();
      current = null;
      return;
    }
    const rule = line.match(/^- \*\*([A-Z]{2,4}-\d{3})\*\* (\S.*)$/);
    if (rule) {
      current = { id: rule[1], line: at, inGapSection: section === GAP_SECTION, codes: [], tests: [], beingBuilt: false };
      rules.push(current);
      return;
    }
    if (!current) return;
    const codes = line.match(/^ {2}- codes: (.*)$/);
    if (codes) {
      if (codes[1].trim() !== 'none') current.codes.push(...[...codes[1].matchAll(/`([^`]+)`/g)].map((m) => m[1]));
      return;
    }
    if (/^ {2}- test: being built\s*$/.test(line)) {
      current.beingBuilt = true;
      return;
    }
    const ref = line.match(/^ {2}- test: `([^`]+)` › (.+)$/);
    if (ref) {
      current.tests.push({ file: ref[1], title: ref[2].trim() });
      return;
    }
    if (line.startsWith('  - ')) problems.push(`${REGISTER}:${at}: ${current.id}: cannot read "${line.trim()}"`);
  });
  return { rules, problems };
}

/** The titles a test file declares: first arguments of test/it/describe, and `name:` of table cases. */
export function testTitles(source: string): Set<string> {
  const titles = new Set<string>();
  const literal = String.raw`'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)"|\x60((?:[^\x60\\]|\\.)*)\x60`;
  const patterns = [
    new RegExp(String.raw`\b(?:test|it|describe)\(\s*(?:${literal})`, 'g'),
    new RegExp(String.raw`\bname:\s*(?:${literal})`, 'g'),
  ];
  for (const pattern of patterns) {
    for (const m of source.matchAll(pattern)) {
      const raw = m[1] ?? m[2] ?? m[3];
      titles.add(raw.replace(/\\(['"\x60\\])/g, '$1'));
    }
  }
  return titles;
}

const { rules, problems } = parseRegister(fs.readFileSync(path.join(ROOT, REGISTER), 'utf8'));
const knownCodes = new Set(Object.keys(ERROR_STATUS));

describe('the rules register (docs/RULES.md)', () => {
  test('is readable: every rule line parses and rule ids are unique', () => {
    assert.deepEqual(problems, []);
    assert.ok(rules.length >= 80, `only ${rules.length} rules found; is the format right?`);
    const seen = new Map<string, number>();
    const duplicates = rules.filter((r) => seen.has(r.id) || !seen.set(r.id, r.line)).map((r) => `${r.id} (line ${r.line})`);
    assert.deepEqual(duplicates, []);
  });

  test('every rule outside the gap list names at least one test, and only the gap list says "being built"', () => {
    const untested = rules.filter((r) => !r.inGapSection && r.tests.length === 0).map((r) => r.id);
    assert.deepEqual(untested, [], 'rules with no test: write the test or move the rule to "Rules being built"');
    const misplaced = rules.filter((r) => !r.inGapSection && r.beingBuilt).map((r) => r.id);
    assert.deepEqual(misplaced, []);
  });

  test('every named test exists: the file, and a test or describe with exactly that title in it', () => {
    const titlesOf = new Map<string, Set<string> | null>();
    const missing: string[] = [];
    for (const rule of rules) {
      for (const ref of rule.tests) {
        if (!titlesOf.has(ref.file)) {
          const file = path.join(ROOT, ref.file);
          titlesOf.set(ref.file, ref.file.endsWith('.test.ts') && fs.existsSync(file) ? testTitles(fs.readFileSync(file, 'utf8')) : null);
        }
        const titles = titlesOf.get(ref.file);
        if (!titles) missing.push(`${rule.id}: no test file ${ref.file}`);
        else if (!titles.has(ref.title)) missing.push(`${rule.id}: ${ref.file} has no test "${ref.title}"`);
      }
    }
    assert.deepEqual(missing, []);
  });

  test('every cited error code is one of the closed set in src/errors.ts', () => {
    const unknown = rules.flatMap((r) => r.codes.filter((c) => !knownCodes.has(c)).map((c) => `${r.id}: ${c}`));
    assert.deepEqual(unknown, []);
  });

  test('every business error code of src/errors.ts is cited by a rule that has its tests', () => {
    const cited = new Set(rules.filter((r) => !r.inGapSection).flatMap((r) => r.codes));
    const uncited = [...knownCodes].filter((c) => !GENERIC_CODES.has(c) && !cited.has(c));
    assert.deepEqual(uncited, [], 'error codes no tested rule answers with');
  });
});

describe('the register checks themselves', () => {
  const sample = [
    '## Access',
    '- **ACC-001** A rule.',
    '  - codes: `forbidden`',
    '  - test: `a.test.ts` › does a thing',
    '- **ACC-002** Another.',
    '  - codes: none',
    '## Rules being built',
    '- **ACC-101** Later.',
    '  - test: being built',
  ].join('\n');

  test('parses rules, codes, tests and the gap section', () => {
    const { rules: parsed, problems: found } = parseRegister(sample);
    assert.deepEqual(found, []);
    assert.deepEqual(
      parsed.map((r) => [r.id, r.inGapSection, r.codes, r.tests.length, r.beingBuilt]),
      [
        ['ACC-001', false, ['forbidden'], 1, false],
        ['ACC-002', false, [], 0, false],
        ['ACC-101', true, [], 0, true],
      ],
    );
  });

  test('a malformed rule line is reported, not skipped', () => {
    const { problems: found } = parseRegister('## A\n- **ACC-001** x\n  - test: a.test.ts › no backticks');
    assert.equal(found.length, 1);
  });

  test('titles come from test/it/describe calls and table names, templates as written', () => {
    const titles = testTitles(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template title, on purpose
      "describe(`rules [${dialect}]`, () => {\n  test('it\\'s one', () => {});\n  it(\"two\", () => {});\n  const cases = [{ name: 'three' }];\n});",
    );
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a title as written in the source
    assert.deepEqual([...titles].sort(), ["it's one", 'rules [${dialect}]', 'three', 'two']);
  });
});
