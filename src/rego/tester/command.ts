/**
 * The `policy` command: `policy test` and `policy eval`, with the engine factory passed in
 * (cli.ts binds the real engine). Exit codes: 0 pass, 1 test failures or evaluation
 * error, 2 usage, load or compile error.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { RegoError } from '../errors.js';
import { stringifyJSON } from '../value/index.js';
import type { PolicyEngineFactory } from './engine.js';
import { evalPolicy } from './evalPolicy.js';
import { formatCoverage, formatTestReport } from './format.js';
import { toJUnitXml } from './junit.js';
import { PolicyLoadError } from './load.js';
import { runPolicyTests } from './runTests.js';

/** Usage text of the `policy` command. */
export const usage = `usage:
  policy test DIR [--junit FILE] [--coverage] [--run REGEX] [-v] [--v0-compatible] [--timeout MS]
  policy eval -d DIR [-i INPUT.json] [--v0-compatible] [--timeout MS] QUERY
`;

/** Raised for bad command lines; the message says what was wrong. */
class UsageError extends Error {}

interface ParsedArgs {
  positional: string[];
  flags: Map<string, string | true>;
}

/** Flags that take a value, by every spelling accepted. */
const valueFlags: Record<string, string> = {
  '--junit': 'junit', '--run': 'run', '-d': 'data', '--data': 'data', '-i': 'input', '--input': 'input', '--timeout': 'timeout',
};
const booleanFlags: Record<string, string> = { '--coverage': 'coverage', '-v': 'verbose', '--verbose': 'verbose', '--v0-compatible': 'v0' };

function parseArgs(args: string[]): ParsedArgs {
  const parsed: ParsedArgs = { positional: [], flags: new Map() };
  for (let i = 0; i < args.length; i++) {
    const [arg, inline] = args[i].startsWith('--') && args[i].includes('=') ? [args[i].slice(0, args[i].indexOf('=')), args[i].slice(args[i].indexOf('=') + 1)] : [args[i], undefined];
    if (valueFlags[arg]) {
      const value = inline ?? args[++i];
      if (value === undefined) throw new UsageError(`${arg} needs a value`);
      parsed.flags.set(valueFlags[arg], value);
    } else if (booleanFlags[arg]) parsed.flags.set(booleanFlags[arg], true);
    else if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option ${arg}`);
    else parsed.positional.push(arg);
  }
  return parsed;
}

function stringFlag(p: ParsedArgs, name: string): string | undefined {
  const v = p.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}

/** `--timeout MS` as engine options: nothing when absent. */
function timeoutOption(p: ParsedArgs): { timeoutMs?: number } {
  const text = stringFlag(p, 'timeout');
  if (text === undefined) return {};
  if (!/^\d+$/.test(text) || Number(text) === 0) throw new UsageError(`--timeout wants a positive number of milliseconds, not ${text}`);
  return { timeoutMs: Number(text) };
}

/**
 * Runs `policy test …` or `policy eval …` (a leading `policy` is accepted too), writing
 * to `out`, and resolves to the exit code.
 */
export async function runPolicyCommand(argv: string[], out: NodeJS.WritableStream, createEngine: PolicyEngineFactory): Promise<number> {
  const args = argv[0] === 'policy' ? argv.slice(1) : argv;
  try {
    const [sub, ...rest] = args;
    if (sub === 'test') return await testCommand(parseArgs(rest), out, createEngine);
    if (sub === 'eval') return await evalCommand(parseArgs(rest), out, createEngine);
    throw new UsageError(sub ? `unknown policy command ${sub}` : 'missing policy command');
  } catch (e) {
    if (e instanceof UsageError) {
      out.write(`error: ${e.message}\n${usage}`);
      return 2;
    }
    if (e instanceof PolicyLoadError) {
      out.write(`error: the policies do not load:\n${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

async function testCommand(p: ParsedArgs, out: NodeJS.WritableStream, createEngine: PolicyEngineFactory): Promise<number> {
  if (p.positional.length !== 1) throw new UsageError('policy test takes one folder');
  const run = stringFlag(p, 'run');
  let filter: RegExp | undefined;
  try {
    filter = run === undefined ? undefined : new RegExp(run);
  } catch {
    throw new UsageError(`--run: not a regular expression: ${run}`);
  }
  const report = runPolicyTests(p.positional[0], {
    createEngine,
    coverage: p.flags.has('coverage'),
    regoVersion: p.flags.has('v0') ? 'v0' : 'v1',
    ...timeoutOption(p),
    ...(filter ? { filter } : {}),
  });
  out.write(formatTestReport(report, { verbose: p.flags.has('verbose') }));
  if (report.coverage) out.write(formatCoverage(report.coverage));
  const junit = stringFlag(p, 'junit');
  if (junit !== undefined) await writeJUnit(junit, toJUnitXml(report));
  return report.failed + report.errored > 0 ? 1 : 0;
}

async function evalCommand(p: ParsedArgs, out: NodeJS.WritableStream, createEngine: PolicyEngineFactory): Promise<number> {
  const dir = stringFlag(p, 'data');
  if (dir === undefined) throw new UsageError('policy eval needs -d DIR');
  if (p.positional.length !== 1) throw new UsageError('policy eval takes one query');
  const inputFile = stringFlag(p, 'input');
  const input = inputFile === undefined ? undefined : await readInput(inputFile);
  try {
    const rows = evalPolicy(dir, p.positional[0], input, {
      createEngine,
      regoVersion: p.flags.has('v0') ? 'v0' : 'v1',
      ...timeoutOption(p),
      print: (m) => process.stderr.write(`${m}\n`),
    });
    // As `opa eval` prints it: an undefined result is an empty object.
    out.write(stringifyJSON(rows.length > 0 ? { result: rows } : {}, 2) + '\n');
    return 0;
  } catch (e) {
    if (!(e instanceof RegoError)) throw e;
    out.write(`error: ${e.message}\n`);
    return e.code.startsWith('eval_') ? 1 : 2;
  }
}

async function writeJUnit(file: string, xml: string): Promise<void> {
  try {
    await writeFile(file, xml);
  } catch (e) {
    throw new UsageError(`cannot write ${file}: ${(e as Error).message}`);
  }
}

async function readInput(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new UsageError(`cannot read input file ${file}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`input file ${file} is not JSON: ${(e as Error).message}`);
  }
}
