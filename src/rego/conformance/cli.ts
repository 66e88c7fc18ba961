/**
 * Command line of the conformance harness, run from the build output:
 * `node dist/rego/conformance/cli.js DIR [--errors-seen] [--timeout MS]`.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { conformanceCommand } from './command.js';
import { createRegoEngine } from './engine.js';

/** True when this file is the program node was started with (not merely imported). */
function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) process.exitCode = conformanceCommand(process.argv.slice(2), process.stdout, createRegoEngine);
