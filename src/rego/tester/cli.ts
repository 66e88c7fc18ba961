/**
 * `enigm-trust policy …` with the real engine: `policy test DIR [--junit FILE] [--coverage]
 * [--run REGEX] [-v]` and `policy eval -d DIR [-i input.json] QUERY`.
 */
import { runPolicyCommand } from './command.js';
import { createRegoEngine } from './engine.js';

/**
 * Runs a `policy` command line (with or without the leading `policy`), writing to `out`.
 * Resolves to the exit code: 0 pass, 1 failures, 2 usage or compile error.
 */
export function policyCommand(argv: string[], out: NodeJS.WritableStream): Promise<number> {
  return runPolicyCommand(argv, out, createRegoEngine);
}
