// `proofline controls status|gaps`: the same live control status and gap analysis as
// GET /api/v1/controls/status and /gaps, read from the database the CLI is configured for.
// `proofline controls soa [--json]` prints the Statement of Applicability (GET /api/v1/controls/soa);
// `proofline controls soa request --file changes.json --rationale ...` opens a soa_change approval
// request, as POST /api/v1/controls/soa/change-requests does.
import fs from 'node:fs';
import type { Command } from 'commander';
import { AppError } from '../errors.js';
import { loadSoa, type SoaEntryInput } from '../governance/soa.js';
import { evaluateControlStatus, loadControlGaps } from '../modules/controls/controls.service.js';
import { requestSoaChange } from '../workflows/request-soa-change.js';
import { cliContext, printJson, printTable, withStore } from './cli-context.js';

/** The entries of a changes file: an array of {controlId, applicable, justification}, or {entries: [...]}. */
function readChangesFile(file: string): SoaEntryInput[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new AppError('validation_failed', `--file: ${file} is not readable JSON (${(error as Error).message})`, { field: 'file' });
  }
  const entries = Array.isArray(parsed) ? parsed : (parsed as { entries?: unknown })?.entries;
  if (!Array.isArray(entries))
    throw new AppError('validation_failed', '--file: give an array of {controlId, applicable, justification} (or {"entries": [...]})', {
      field: 'file',
    });
  return entries as SoaEntryInput[];
}

export function registerControlsCommands(program: Command): void {
  const controls = program.command('controls').description("live status of a framework's controls, and the gaps to close");
  controls
    .command('status')
    .description('each control satisfied / partly / not satisfied / not applicable, for the organisation or one system')
    .requiredOption('--framework <id>', 'iso42001, nist-ai-rmf, eu-ai-act, gdpr or dora')
    .option('--system <id>', 'one AI system')
    .option('--json', 'print JSON (as GET /api/v1/controls/status)')
    .action(async (opts: { framework: string; system?: string; json?: boolean }) => {
      const report = await withStore((store) => evaluateControlStatus(store, { framework: opts.framework, systemId: opts.system }));
      if (opts.json) return printJson(report);
      printTable(
        ['CONTROL', 'STATUS', 'BASIS', 'TITLE'],
        report.items.map((c) => [c.controlId, c.status, c.basis, c.title]),
      );
    });
  controls
    .command('gaps')
    .description('every failing evidence condition: the system, who owns fixing it, and where to act')
    .requiredOption('--framework <id>', 'iso42001, nist-ai-rmf, eu-ai-act, gdpr or dora')
    .option('--system <id>', 'one AI system')
    .option('--json', 'print JSON (as GET /api/v1/controls/gaps)')
    .action(async (opts: { framework: string; system?: string; json?: boolean }) => {
      const report = await withStore((store) => loadControlGaps(store.db, { framework: opts.framework, systemId: opts.system }));
      if (opts.json) return printJson(report);
      printTable(
        ['CONTROL', 'SYSTEM', 'CONDITION', 'OWNER', 'ACT'],
        report.items.map((g) => [g.controlId, g.systemId, g.condition, g.ownerId ?? '-', g.act]),
      );
    });
  const soa = controls
    .command('soa')
    .description('the Statement of Applicability: every Annex A control, applicable or excluded, with its justification')
    .option('--json', 'print JSON (as GET /api/v1/controls/soa)')
    .action(async (opts: { json?: boolean }) => {
      const view = await withStore((store) => loadSoa(store.db));
      if (opts.json) return printJson(view);
      console.log(`Statement of Applicability, version ${view.version}${view.approved ? '' : ' (default, not approved)'}`);
      printTable(
        ['CONTROL', 'APPLICABLE', 'VERSION', 'APPROVED BY', 'JUSTIFICATION'],
        view.entries.map((e) => [
          e.controlId,
          e.applicable ? 'yes' : 'excluded',
          String(e.version),
          e.approvedBy.map((s) => s.name).join(', ') || '-',
          e.justification,
        ]),
      );
    });
  soa
    .command('request')
    .description('ask for a change of the SoA: opens a soa_change approval request (governance lead or admin)')
    .requiredOption('--as <email>', 'the requester (a governance lead or an admin)')
    .requiredOption('--file <path>', 'JSON: [{"controlId": "iso42001:A.10.3", "applicable": false, "justification": "..."}]')
    .requiredOption('--rationale <text>', 'why the SoA changes')
    .option('--title <text>', 'the request title')
    .option('--json', 'print JSON (as the API answers)')
    .action(async (opts: { as: string; file: string; rationale: string; title?: string; json?: boolean }) => {
      const entries = readChangesFile(opts.file);
      const created = await withStore(async (store) => {
        const ctx = await cliContext(store, opts.as);
        return store.transact((trx) => requestSoaChange(trx, { ctx, entries, rationale: opts.rationale, title: opts.title }));
      });
      // `--json` after `request` is taken by `soa`'s own option of that name.
      if (opts.json || soa.opts().json) return printJson(created);
      console.log(
        `request ${created.id} opened (${created.kind}, policy ${created.policy.id} v${created.policy.version}); it waits for approval`,
      );
    });
}
