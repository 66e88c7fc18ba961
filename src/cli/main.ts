#!/usr/bin/env node
/**
 * The `enigm-trust` command.
 */
import { ConfigError, loadConfig } from '../config.js';
import { FIXTURES_DIR, POLICY_BUNDLE_FILE } from '../paths.js';
import { PolicyBundleError } from '../policy/bundleError.js';
import { runFixtureCommand, type FixtureCommandOptions } from '../policy/fixtureCommand.js';
import type { Database } from '../store/database.js';
import { issueDevelopmentKeys } from './devKeys.js';
import { ADMINS_HELP, adminsCommand } from './admins.js';
import { KEYS_HELP, keysCommand } from './keys.js';
import { ORGS_HELP, orgsCommand } from './orgs.js';
import { startService } from '../http/server.js';
import { workerCommand } from './worker.js';
import { SigningKeyError } from '../queue/signingKeys.js';
import { migrate } from '../store/migrate.js';
import { openDatabase } from '../store/open.js';
import { DatabaseInUseError } from '../store/pglite.js';
import { DatabaseUnavailableError } from '../store/databaseUnavailable.js';
import { MigrationMismatchError } from '../store/migrate.js';

const HELP = `usage: enigm-trust <command> [options]

commands:
  serve                     run the HTTP service (migrates the database first)
  worker                    run the outbox relay and the fan-out workers (no HTTP)
  migrate                   apply pending database migrations and exit
  orgs create|list|show|set provision organisations and their policy settings (enigm-trust orgs --help)
  keys create|list|revoke   manage service and admin API keys (enigm-trust keys --help)
  admins invite|list        invite Command console administrators, an organisation's first owner above all (enigm-trust admins --help)
  fixtures [--bundle FILE]  every compliance fixture against a policy bundle (default: the served one)
  help                      show this help

configuration comes from the environment; see README.md.`;

/** Errors whose message is the whole story: printed as one line, no stack. */
function isOperatorError(err: unknown): err is Error {
  return err instanceof ConfigError || err instanceof DatabaseInUseError || err instanceof DatabaseUnavailableError || err instanceof MigrationMismatchError || err instanceof SigningKeyError;
}

async function serve(): Promise<void> {
  const config = loadConfig();
  const service = await startService(config);
  process.on('SIGHUP', () => {
    void service.policies.reload().then((r) => {
      if (r.ok) service.logger.info({ revision: r.revision, changed: r.changed }, 'policy bundle reloaded');
      else service.logger.error({ revision: r.revision, bundle: config.policyBundle, error: r.error.message }, 'policy reload failed; still serving the previous revision');
    });
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      service.shutdown(signal).then(
        () => process.exit(0),
        (err: unknown) => {
          service.logger.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
  if (!config.production && config.databaseUrl === undefined) {
    for (const line of await issueDevelopmentKeys(service.db, { url: service.url, pageUrl: config.rpOrigin })) console.log(line);
  }
  service.logger.info({ url: service.url }, 'ready: signal handlers installed');
}

async function migrateCommand(): Promise<void> {
  const db = await openDatabase(loadConfig());
  try {
    const applied = await migrate(db);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
  } finally {
    await db.close();
  }
}

async function fixturesCommand(args: string[]): Promise<number> {
  const opts: FixtureCommandOptions = { bundle: POLICY_BUNDLE_FILE, fixtures: FIXTURES_DIR };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--bundle' && args[i + 1]) opts.bundle = args[++i];
    else if (a === '--public-key' && args[i + 1]) opts.publicKey = args[++i];
    else if (a === '--fixtures' && args[i + 1]) opts.fixtures = args[++i];
    else if (a === '--junit' && args[i + 1]) opts.junitDir = args[++i];
    else if (a === '-v' || a === '--verbose') opts.verbose = true;
    else {
      console.error(`enigm-trust fixtures: unexpected argument "${a}" (use --bundle FILE, --public-key PEM, --fixtures DIR, --junit DIR, -v)`);
      return 2;
    }
  }
  return runFixtureCommand(opts, process.stdout);
}

/** Runs `work` with the configured database, migrated, and closes it after. */
async function withDatabase<T>(work: (db: Database) => Promise<T>): Promise<T> {
  const db = await openDatabase(loadConfig());
  try {
    await migrate(db);
    return await work(db);
  } finally {
    await db.close();
  }
}

export async function main(argv: string[]): Promise<number | undefined> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve': await serve(); return undefined; // keeps running
    case 'worker': await workerCommand(); return undefined; // keeps running
    case 'migrate': await migrateCommand(); return 0;
    case 'keys':
      if (rest.length === 0 || rest[0] === '--help') {
        console.log(KEYS_HELP);
        return rest.length === 0 ? 2 : 0;
      }
      return withDatabase((db) => keysCommand(rest, { db, out: (l) => console.log(l), err: (l) => console.error(l) }));
    case 'orgs':
      if (rest.length === 0 || rest[0] === '--help') {
        console.log(ORGS_HELP);
        return rest.length === 0 ? 2 : 0;
      }
      return withDatabase((db) => orgsCommand(rest, { db, out: (l) => console.log(l), err: (l) => console.error(l) }));
    case 'admins':
      if (rest.length === 0 || rest[0] === '--help') {
        console.log(ADMINS_HELP);
        return rest.length === 0 ? 2 : 0;
      }
      return withDatabase((db) => adminsCommand(rest, { db, origin: loadConfig().rpOrigin, out: (l) => console.log(l), err: (l) => console.error(l) }));
    case 'fixtures': return fixturesCommand(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h': console.log(HELP); return command === undefined ? 2 : 0;
    default:
      console.error(`enigm-trust: unknown command "${command}"\n\n${HELP}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof ConfigError) console.error(`enigm-trust: invalid configuration: ${err.message}`);
    else if (err instanceof PolicyBundleError) console.error(`enigm-trust: policy bundle ${err.file ?? ''}: ${err.message}`);
    else if (isOperatorError(err)) console.error(`enigm-trust: ${err.message}`);
    else console.error(err);
    process.exitCode = 1;
  },
);
