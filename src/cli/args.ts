/**
 * What the `enigm-trust` subcommands share: `--flag value` parsing, usage errors, and tables.
 */

/** Bad command-line arguments: reported in one line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export type Flags = Map<string, string>;

// `--flag value` or `--flag=value`, each flag at most once, only the flags `allowed` names;
// a `switches` flag takes no value (it is set to "true").
export function parseArgs(args: string[], allowed: readonly string[], switches: readonly string[] = []): { flags: Flags; positional: string[] } {
  const flags: Flags = new Map();
  const positional: string[] = [];
  const known = [...allowed, ...switches];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    if (!known.includes(name)) throw new UsageError(`unknown option --${name}${known.length ? ` (expected ${known.map((a) => `--${a}`).join(', ')})` : ''}`);
    if (flags.has(name)) throw new UsageError(`--${name} is given twice`);
    if (switches.includes(name)) {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`);
      flags.set(name, 'true');
      continue;
    }
    const value = eq === -1 ? args[++i] : arg.slice(eq + 1);
    if (value === undefined || value === '' || (eq === -1 && value.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
    flags.set(name, value);
  }
  return { flags, positional };
}

export function required(flags: Flags, name: string, what: string): string {
  const value = flags.get(name);
  if (value === undefined) throw new UsageError(`--${name} is required ${what}`);
  return value;
}

export function noPositional(positional: string[]): void {
  if (positional.length) throw new UsageError(`unexpected argument "${positional[0]}"`);
}

/** Rows as aligned columns, the first row the header. */
export function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('  '));
}
