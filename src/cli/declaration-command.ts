// `proofline systems <declaration> [set]`: a system's declaration of one list (features watched for
// drift, group attributes for fairness), read, or replaced whole from a JSON file with a reason,
// through the same use case and request schema as its API route. One shape, used by
// features.commands.ts and fairness.commands.ts.
import type { Command } from 'commander';
import type { RequestContext } from '../context.js';
import type { Store, Tx } from '../db/store.js';
import { AppError } from '../errors.js';
import { cliContext, printJson, readJsonFile, withStore } from './cli-context.js';

interface Options {
  system: string;
  file?: string;
  reason?: string;
  expectVersion?: string;
  as?: string;
  json?: boolean;
}

/** What the API's body check gives back: the list under `key`, the rationale and the version read. */
type Body<K extends string, Item> = Record<K, Item[]> & { rationale: string; version?: number };

export interface DeclarationCommand<K extends string, Item, View> {
  command: string;
  description: string;
  /** The list's name in the body and in the file's `{ key: [...] }` form. */
  key: K;
  /** What --file and --reason hold, for the help. */
  fileHelp: string;
  reasonHelp: string;
  /** The API's request check, with the body's names renamed to the options'. */
  check: (body: unknown) => Body<K, Item>;
  read: (store: Store, systemId: string) => Promise<View>;
  declare: (
    trx: Tx,
    input: { ctx: RequestContext; systemId: string; rationale: string; expectedVersion?: number } & Record<K, Item[]>,
  ) => Promise<View>;
  print: (view: View) => void;
}

export function registerDeclarationCommand<K extends string, Item, View>(systems: Command, spec: DeclarationCommand<K, Item, View>): void {
  systems
    .command(spec.command)
    .description(spec.description)
    .argument('[action]', `set: declare the ${spec.key} in --file`)
    .requiredOption('--system <id>', 'the AI system')
    .option('--file <path>', `set: ${spec.fileHelp} (or { ${spec.key}: [...] })`)
    .option('--reason <text>', `set: ${spec.reasonHelp}, recorded in the ledger`)
    .option('--expect-version <n>', 'set: the version read; a stale one is refused')
    .option('--as <email>', 'set: an admin, governance lead or the system owner (default: the system actor)')
    .option('--json', 'print JSON')
    .action(async (action: string | undefined, opts: Options) => {
      if (action === undefined) {
        const declaration = await withStore((store) => spec.read(store, opts.system));
        if (opts.json) return printJson(declaration);
        return spec.print(declaration);
      }
      if (action !== 'set') throw new AppError('validation_failed', `unknown action ${action}: only set`, { field: 'action' });
      if (opts.file === undefined) throw new AppError('validation_failed', '--file is required to set', { field: '--file' });
      const read = readJsonFile(opts.file);
      const list = Array.isArray(read) ? read : (read as Record<string, unknown> | null)?.[spec.key];
      const body = spec.check({
        [spec.key]: list,
        rationale: opts.reason,
        ...(opts.expectVersion === undefined
          ? {}
          : { version: /^\d+$/.test(opts.expectVersion) ? Number(opts.expectVersion) : opts.expectVersion }),
      });
      const declared = await withStore(async (store) => {
        const ctx = await cliContext(store, opts.as);
        return store.transact((trx) =>
          spec.declare(trx, {
            ctx,
            systemId: opts.system,
            rationale: body.rationale,
            expectedVersion: body.version,
            [spec.key]: body[spec.key],
          } as { ctx: RequestContext; systemId: string; rationale: string; expectedVersion?: number } & Record<K, Item[]>),
        );
      });
      if (opts.json) return printJson(declared);
      spec.print(declared);
    });
}
