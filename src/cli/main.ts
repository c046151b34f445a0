// The `proofline` command. It calls the same domain functions as the server, never its HTTP API.
import { Command, CommanderError } from 'commander';
import { ConfigError, loadConfig } from '../config.js';
import { AppError } from '../errors.js';
import { registerAlertsCommands } from './alerts.commands.js';
import { registerAppealsCommands } from './appeals.commands.js';
import { registerApprovalsCommands } from './approvals.commands.js';
import { registerBackupCommands } from './backup.commands.js';
import { registerControlsCommands } from './controls.commands.js';
import { registerCoreCommands } from './core.commands.js';
import { registerDecisionsCommands } from './decisions.commands.js';
import { registerEvidenceCommands } from './evidence.commands.js';
import { registerExceptionsCommands } from './exceptions.commands.js';
import { registerFeedbackCommands } from './feedback.commands.js';
import { registerFrameworksCommands } from './frameworks.commands.js';
import { registerGrantsCommands } from './grants.commands.js';
import { registerIncidentsCommands } from './incidents.commands.js';
import { registerLedgerCommands } from './ledger.commands.js';
import { registerOversightCommands } from './oversight.commands.js';
import { registerReviewsCommands } from './reviews.commands.js';
import { registerSystemsCommands } from './systems.commands.js';
import { registerUsersCommands } from './users.commands.js';

export function buildProgram(): Command {
  const program = new Command('proofline')
    .description('Proofline: responsible-AI operations with a tamper-evident ledger')
    // Usage errors are one line, like every other failure: `proofline: error: ... (see --help)`.
    .configureOutput({ outputError: (message, write) => write(`proofline: ${message.trim()} (see --help)\n`) })
    .exitOverride();
  registerCoreCommands(program);
  registerSystemsCommands(program);
  registerExceptionsCommands(program);
  registerIncidentsCommands(program);
  registerApprovalsCommands(program);
  registerOversightCommands(program);
  registerDecisionsCommands(program);
  registerAppealsCommands(program);
  registerLedgerCommands(program);
  registerFrameworksCommands(program);
  registerControlsCommands(program);
  registerEvidenceCommands(program);
  registerReviewsCommands(program);
  registerAlertsCommands(program);
  registerFeedbackCommands(program);
  registerUsersCommands(program);
  registerGrantsCommands(program);
  registerBackupCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof ConfigError) process.stderr.write(`proofline: configuration error: ${error.message}\n`);
    else if (error instanceof AppError) process.stderr.write(`proofline: ${error.code}: ${error.message}\n`);
    else process.stderr.write(`proofline: ${(error as Error).message}\n`);
    return 1;
  }
}

export { loadConfig };
