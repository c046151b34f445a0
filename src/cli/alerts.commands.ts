// `proofline alerts list|show|ack|resolve|act` and `proofline monitors list|add|defaults|disable`:
// monitoring's alerts and monitors through the same use cases, workflow (actOnAlert) and request
// schemas as /api/v1/alerts and /api/v1/monitors.
import { type Command, Option } from 'commander';
import { AppError } from '../errors.js';
import { listAlerts, listMonitors } from '../modules/alerts/alerts.reads.js';
import { AlertsQuery } from '../modules/alerts/alerts.reads.schema.js';
import { AlertActionBody, MonitorBody, MonitorDefaultsBody, RationaleBody } from '../modules/alerts/alerts.schema.js';
import {
  acknowledgeAlert,
  createMonitor,
  disableMonitor,
  findAlert,
  presentAlert,
  type presentMonitor,
  resolveAlert,
} from '../modules/alerts/alerts.service.js';
import { applyDefaultMonitors } from '../modules/alerts/monitor-defaults.js';
import { schemaCheck } from '../server/schema-check.js';
import { actOnAlert } from '../workflows/alert-response.js';
import { cliContext, printJson, printTable, readJsonFile, userByEmail, withStore } from './cli-context.js';

const AS_HELP = 'act as this person in the ledger (default: the system actor)';
const checkList = schemaCheck(AlertsQuery, { part: 'querystring', rename: { systemId: '--system' } });
const checkReason = schemaCheck(RationaleBody, { part: 'body', rename: { rationale: '--reason' } });
const checkAction = schemaCheck(AlertActionBody, {
  part: 'body',
  rename: { action: '--action', reason: '--reason', conditions: '--conditions' },
});
const checkMonitor = schemaCheck(MonitorBody, { part: 'body' });
const checkDefaults = schemaCheck(MonitorDefaultsBody, {
  part: 'body',
  rename: {
    ownerId: '--owner',
    rationale: '--reason',
    fairnessAttribute: '--group-attribute',
    validatedErrorRate: '--validated-error-rate',
  },
});

/** The CLI's word for each action of POST /alerts/{id}/actions. */
const ACTIONS = { pause: 'pause', restrict: 'restrict', incident: 'open_incident' } as const;

type AlertView = ReturnType<typeof presentAlert>;
type MonitorView = ReturnType<typeof presentMonitor>;

function printAlert(a: AlertView): void {
  const lines = [
    `${a.severity} alert ${a.id}: ${a.status} (${a.title})`,
    `  system ${a.systemId}${a.monitorId ? `, monitor ${a.monitorId}` : ''}, source ${a.source}`,
    `  fired ${a.firedAt}, last ${a.lastFiredAt}, ${a.fireCount} time(s)`,
    `  evidence ${JSON.stringify(a.evidence)}`,
    ...(a.acknowledgedAt ? [`  acknowledged ${a.acknowledgedAt} by ${a.acknowledgedBy ?? '-'}: ${a.acknowledgementRationale ?? ''}`] : []),
    ...(a.resolvedAt ? [`  resolved ${a.resolvedAt}`] : []),
    ...(a.exceptionId ? [`  exception ${a.exceptionId}`] : []),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

function printMonitor(m: MonitorView): void {
  process.stdout.write(
    `monitor ${m.id} (${m.name}): ${m.enabled ? 'enabled' : 'disabled'}, ${m.aggregation}(${m.metric}) ${m.comparison} ${m.threshold} over ${m.windowSeconds}s, ${m.severity}\n`,
  );
}

function parseNumber(option: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new AppError('validation_failed', `${option} must be a number`, { field: option });
  return n;
}

export function registerAlertsCommands(program: Command): void {
  const alerts = program.command('alerts').description('monitoring alerts: list, show, acknowledge, resolve, act on the system');

  alerts
    .command('list')
    .description('alerts across systems, most recently fired first')
    .addOption(new Option('--status <status>', 'the alert status').choices(['firing', 'acknowledged', 'resolved']))
    .addOption(new Option('--severity <severity>', 'the severity').choices(['low', 'medium', 'high', 'critical']))
    .option('--system <id>', "only this system's alerts")
    .option('--limit <n>', 'at most this many (1..500)', '50')
    .option('--offset <n>', 'skip this many', '0')
    .option('--json', 'print the page as JSON')
    .action(async (opts: { status?: string; severity?: string; system?: string; limit: string; offset: string; json?: boolean }) => {
      const q = checkList({
        ...(opts.status === undefined ? {} : { status: opts.status }),
        ...(opts.severity === undefined ? {} : { severity: opts.severity }),
        ...(opts.system === undefined ? {} : { systemId: opts.system }),
        limit: opts.limit,
        offset: opts.offset,
      });
      const page = await withStore((store) => listAlerts(store.db, q));
      if (opts.json) return printJson(page);
      if (page.items.length > 0)
        printTable(
          ['ID', 'SEVERITY', 'STATUS', 'LAST FIRED', 'SYSTEM', 'TITLE'],
          page.items.map((a) => [a.id, a.severity, a.status, a.lastFiredAt, a.systemName, a.title]),
        );
      process.stdout.write(`${page.items.length} of ${page.total} alert(s)\n`);
    });

  alerts
    .command('show')
    .description('one alert, with the values that caused it')
    .argument('<id>', 'the alert id')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      const view = await withStore(async (store) => presentAlert(await findAlert(store.db, id)));
      if (opts.json) return printJson(view);
      printAlert(view);
    });

  for (const [name, run, description] of [
    ['ack', acknowledgeAlert, 'acknowledge a firing alert, saying why (stops its escalation)'],
    ['resolve', resolveAlert, 'resolve an alert, saying why'],
  ] as const) {
    alerts
      .command(name)
      .description(description)
      .argument('<id>', 'the alert id')
      .requiredOption('--reason <text>', 'why, recorded in the ledger')
      .option('--as <email>', AS_HELP)
      .option('--json', 'print JSON')
      .action(async (id: string, opts: { reason: string; as?: string; json?: boolean }) => {
        const { rationale } = checkReason({ rationale: opts.reason });
        const view = await withStore(async (store) => {
          const ctx = await cliContext(store, opts.as);
          return store.transact((trx) => run(trx, { ctx, alertId: id, rationale }));
        });
        if (opts.json) return printJson(view);
        printAlert(view);
      });
  }

  alerts
    .command('act')
    .description("act on an alert: pause or restrict its system (the oversight roster's rules) or open an incident")
    .argument('<id>', 'the alert id')
    .addOption(new Option('--action <action>', 'what to do').choices(Object.keys(ACTIONS)).makeOptionMandatory())
    .requiredOption('--reason <text>', 'why, recorded in the ledger')
    .option('--conditions <json>', 'restrict only: the conditions the system runs under, as a JSON object')
    .option('--as <email>', AS_HELP)
    .option('--json', 'print JSON')
    .action(
      async (id: string, opts: { action: keyof typeof ACTIONS; reason: string; conditions?: string; as?: string; json?: boolean }) => {
        let conditions: unknown;
        if (opts.conditions !== undefined) {
          try {
            conditions = JSON.parse(opts.conditions);
          } catch {
            throw new AppError('validation_failed', '--conditions is not JSON', { field: '--conditions' });
          }
        }
        const body = checkAction({
          action: ACTIONS[opts.action],
          reason: opts.reason,
          ...(conditions === undefined ? {} : { conditions }),
        });
        const result = await withStore(async (store) => {
          const ctx = await cliContext(store, opts.as);
          return store.transact((trx) => actOnAlert(trx, { ctx, alertId: id, ...body }));
        });
        if (opts.json) return printJson(result);
        printAlert(result.alert);
        // The workflow's outcome beyond the alert (AlertActionView): a runtime state or an incident.
        const outcome = result as { runtimeState?: string; runtimeVersion?: number; incidentId?: string };
        if (outcome.runtimeState) process.stdout.write(`system now ${outcome.runtimeState} (version ${outcome.runtimeVersion})\n`);
        if (outcome.incidentId) process.stdout.write(`incident ${outcome.incidentId} opened\n`);
      },
    );

  const monitors = program.command('monitors').description("a system's monitors: list, add, apply the defaults, disable");

  monitors
    .command('list')
    .description("a system's monitors, enabled ones first")
    .requiredOption('--system <id>', 'the AI system')
    .option('--json', 'print JSON')
    .action(async (opts: { system: string; json?: boolean }) => {
      const list = await withStore((store) => listMonitors(store.db, opts.system));
      if (opts.json) return printJson(list);
      if (list.items.length > 0)
        printTable(
          ['ID', 'NAME', 'RULE', 'SEVERITY', 'ENABLED', 'OWNER'],
          list.items.map((m) => [
            m.id,
            m.name,
            `${m.aggregation}(${m.metric}) ${m.comparison} ${m.threshold} / ${m.windowSeconds}s`,
            m.severity,
            m.enabled ? 'yes' : 'no',
            m.ownerName ?? m.ownerId,
          ]),
        );
      process.stdout.write(`${list.items.length} monitor(s)\n`);
    });

  monitors
    .command('add')
    .description('set a monitor on a system from a JSON file (the body of POST /api/v1/monitors)')
    .requiredOption('--system <id>', 'the AI system (overrides systemId in the file)')
    .requiredOption('--file <path>', 'the monitor as JSON: name, source, metric, aggregation, comparison, threshold, ...')
    .option('--as <email>', AS_HELP)
    .option('--json', 'print JSON')
    .action(async (opts: { system: string; file: string; as?: string; json?: boolean }) => {
      const read = readJsonFile(opts.file);
      if (typeof read !== 'object' || read === null || Array.isArray(read)) {
        throw new AppError('validation_failed', `--file: ${opts.file} must hold one JSON object`, { field: '--file' });
      }
      const input = checkMonitor({ ...read, systemId: opts.system });
      const view = await withStore(async (store) => {
        const ctx = await cliContext(store, opts.as);
        return store.transact((trx) => createMonitor(trx, { ctx, input }));
      });
      if (opts.json) return printJson(view);
      printMonitor(view);
    });

  monitors
    .command('defaults')
    .description("add the default monitors of the system's EU risk tier that it lacks")
    .requiredOption('--system <id>', 'the AI system')
    .requiredOption('--owner <email>', 'who owns the monitors created')
    .requiredOption('--reason <text>', 'why, recorded in the ledger')
    .option('--group-attribute <name>', 'the group attribute for the impact ratio monitor')
    .option('--validated-error-rate <rate>', 'the validated baseline (0..1) for the error rate monitor')
    .option('--as <email>', AS_HELP)
    .option('--json', 'print JSON')
    .action(
      async (opts: {
        system: string;
        owner: string;
        reason: string;
        groupAttribute?: string;
        validatedErrorRate?: string;
        as?: string;
        json?: boolean;
      }) => {
        const rate = parseNumber('--validated-error-rate', opts.validatedErrorRate);
        const applied = await withStore(async (store) => {
          const ctx = await cliContext(store, opts.as);
          const input = checkDefaults({
            ownerId: (await userByEmail(store, opts.owner)).id,
            rationale: opts.reason,
            ...(opts.groupAttribute === undefined ? {} : { fairnessAttribute: opts.groupAttribute }),
            ...(rate === undefined ? {} : { validatedErrorRate: rate }),
          });
          return store.transact((trx) => applyDefaultMonitors(trx, { ctx, systemId: opts.system, input }));
        });
        if (opts.json) return printJson(applied);
        process.stdout.write(`risk tier ${applied.tier}: ${applied.created.length} monitor(s) added\n`);
        for (const m of applied.created) printMonitor(m);
      },
    );

  monitors
    .command('disable')
    .description('stop a monitor, saying why')
    .argument('<id>', 'the monitor id')
    .requiredOption('--reason <text>', 'why, recorded in the ledger')
    .option('--as <email>', AS_HELP)
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { reason: string; as?: string; json?: boolean }) => {
      const { rationale } = checkReason({ rationale: opts.reason });
      const view = await withStore(async (store) => {
        const ctx = await cliContext(store, opts.as);
        return store.transact((trx) => disableMonitor(trx, { ctx, monitorId: id, rationale }));
      });
      if (opts.json) return printJson(view);
      printMonitor(view);
    });
}
