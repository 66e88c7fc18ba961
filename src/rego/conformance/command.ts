/**
 * The conformance command line, with the engine factory passed in (cli.ts binds the real
 * engine): `DIR [--errors-seen] [--timeout MS]`. Exit code 0 when the run completed, 2 when
 * it could not start; failing cases are reported, not turned into an exit code.
 */
import { formatReport } from './report.js';
import type { EngineFactory } from './engine.js';
import { runConformance } from './runConformance.js';

/** Usage text of the conformance command. */
export const usage = 'usage: conformance DIR [--errors-seen] [--timeout MS]\n';

/** Default per-evaluation deadline: generous, only there to stop a runaway case. */
export const defaultTimeoutMs = 10_000;

/** Runs the harness as the command line asks, writing the report to `out`; returns the exit code. */
export function conformanceCommand(argv: string[], out: NodeJS.WritableStream, createEngine: EngineFactory): number {
  const dirs: string[] = [];
  let errorsSeen = false;
  let timeoutMs = defaultTimeoutMs;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--errors-seen') errorsSeen = true;
    else if (argv[i] === '--timeout' && /^\d+$/.test(argv[i + 1] ?? '')) timeoutMs = Number(argv[++i]);
    else if (argv[i].startsWith('-')) return fail(out, `unknown or incomplete option ${argv[i]}`);
    else dirs.push(argv[i]);
  }
  if (dirs.length !== 1) return fail(out, 'give one cases folder');
  let text: string;
  try {
    text = formatReport(runConformance(dirs[0], { createEngine, timeoutMs }), { showErrorsSeen: errorsSeen });
  } catch (e) {
    return fail(out, e instanceof Error ? e.message : String(e));
  }
  out.write(text);
  return 0;
}

function fail(out: NodeJS.WritableStream, message: string): number {
  out.write(`error: ${message}\n${usage}`);
  return 2;
}
