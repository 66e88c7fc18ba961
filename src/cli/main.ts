#!/usr/bin/env node
/**
 * The `enigm-trust` command.
 */
import { ConfigError, loadConfig } from '../config.js';
import { startService } from '../http/server.js';
import { migrate } from '../store/migrate.js';
import { openDatabase } from '../store/open.js';
import { DatabaseInUseError } from '../store/pglite.js';
import { MigrationMismatchError } from '../store/migrate.js';

const HELP = `usage: enigm-trust <command> [options]

commands:
  serve        run the HTTP service (migrates the database first)
  migrate      apply pending database migrations and exit
  help         show this help

configuration comes from the environment; see README.md.`;

/** Errors whose message is the whole story: printed as one line, no stack. */
function isOperatorError(err: unknown): err is Error {
  return err instanceof ConfigError || err instanceof DatabaseInUseError || err instanceof MigrationMismatchError;
}

async function serve(): Promise<void> {
  const service = await startService(loadConfig());
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

export async function main(argv: string[]): Promise<number | undefined> {
  const [command] = argv;
  switch (command) {
    case 'serve': await serve(); return undefined; // keeps running
    case 'migrate': await migrateCommand(); return 0;
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
    else if (isOperatorError(err)) console.error(`enigm-trust: ${err.message}`);
    else console.error(err);
    process.exitCode = 1;
  },
);
