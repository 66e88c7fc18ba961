/**
 * The service's configuration: read once from the environment, validated, and frozen.
 * A bad value stops start-up with one line naming the variable.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { POLICY_BUNDLE_FILE } from './paths.js';
import { FanoutConfigError, parseFanoutConfig, type FanoutConfig } from './queue/fanoutConfig.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  readonly production: boolean;
  readonly host: string;
  readonly port: number;
  /** Where `enigm-trust worker` serves GET /metrics; absent means it serves nothing. */
  readonly workerMetricsPort: number | undefined;
  /** PostgreSQL URL; absent means the embedded PGlite database in `dataDir`. */
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly redisUrl: string;
  readonly rpId: string;
  readonly rpOrigin: string;
  /** Key of the HMAC that derives device identifiers; absent until `resolveIdSecret`. */
  readonly idSecret: string | undefined;
  readonly logLevel: LogLevel;
  /** The OPA bundle served (`make policy-build` writes the package's `dist/bundle.tar.gz`). */
  readonly policyBundle: string;
  /** A PEM public key, or the path of a file holding one, that must have signed the bundle. */
  readonly policyBundlePublicKey: string | undefined;
  /** Revocation fan-out: queues, delivery attempts, SET signing (see src/queue/fanoutConfig.ts). */
  readonly fanout: FanoutConfig;
}

/** A configuration value that cannot be used; `variable` names the environment variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly variable: string, message: string) {
    super(`${variable}: ${message}`);
  }
}

type Env = Readonly<Record<string, string | undefined>>;

const MIN_SECRET_LENGTH = 32;

function optional(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function parsePort(env: Env, name: string, fallback: string): number;
function parsePort(env: Env, name: string, fallback?: string): number | undefined;
function parsePort(env: Env, name: string, fallback?: string): number | undefined {
  const raw = optional(env, name) ?? fallback;
  if (raw === undefined) return undefined;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port < 0 || port > 65535) {
    throw new ConfigError(name, `must be an integer from 0 to 65535, got "${raw}"`);
  }
  return port;
}

function parseUrl(env: Env, name: string, fallback: string | undefined, protocols: string[]): string | undefined {
  const raw = optional(env, name) ?? fallback;
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, `must be a URL (${protocols.join(' or ')}), got "${redactUrl(raw)}"`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(name, `must use ${protocols.join(' or ')}, got "${url.protocol}"`);
  }
  return raw;
}

/** Hides a password in a URL so an error message never prints it. */
function redactUrl(raw: string): string {
  return raw.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');
}

function parseRelyingParty(env: Env, port: number): { rpId: string; rpOrigin: string } {
  const rpId = optional(env, 'RP_ID') ?? 'localhost';
  if (!/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/i.test(rpId)) {
    throw new ConfigError('RP_ID', `must be a domain name such as "example.com", got "${rpId}"`);
  }
  const rpOrigin = parseUrl(env, 'RP_ORIGIN', `http://localhost:${port}`, ['http:', 'https:']) as string;
  const host = new URL(rpOrigin).hostname;
  if (host !== rpId && !host.endsWith(`.${rpId}`)) {
    throw new ConfigError('RP_ORIGIN', `host "${host}" is not RP_ID "${rpId}" or a subdomain of it`);
  }
  return { rpId, rpOrigin: new URL(rpOrigin).origin };
}

/**
 * Builds the configuration from an environment, without touching the file system.
 * `idSecret` stays undefined when not given and not in production: `resolveIdSecret` fills it.
 */
export function parseConfig(env: Env): Config {
  const production = env.NODE_ENV === 'production';
  const port = parsePort(env, 'PORT', '8080');
  const logLevel = (optional(env, 'LOG_LEVEL') ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }
  const idSecret = optional(env, 'ID_SECRET');
  if (idSecret !== undefined && idSecret.length < MIN_SECRET_LENGTH) {
    throw new ConfigError('ID_SECRET', `must be at least ${MIN_SECRET_LENGTH} characters long`);
  }
  if (production && idSecret === undefined) {
    throw new ConfigError('ID_SECRET', 'is required when NODE_ENV=production');
  }
  const policyBundlePublicKey = optional(env, 'POLICY_BUNDLE_PUBLIC_KEY');
  if (production && policyBundlePublicKey === undefined) {
    throw new ConfigError('POLICY_BUNDLE_PUBLIC_KEY', 'is required when NODE_ENV=production: production serves only a policy bundle whose signature checks out');
  }
  const relyingParty = parseRelyingParty(env, port);
  return Object.freeze({
    production,
    host: optional(env, 'HOST') ?? '127.0.0.1',
    port,
    workerMetricsPort: parsePort(env, 'WORKER_METRICS_PORT'),
    databaseUrl: parseUrl(env, 'DATABASE_URL', undefined, ['postgres:', 'postgresql:']),
    dataDir: path.resolve(optional(env, 'DATA_DIR') ?? './.data'),
    redisUrl: parseUrl(env, 'REDIS_URL', 'redis://127.0.0.1:6379', ['redis:', 'rediss:']) as string,
    ...relyingParty,
    idSecret,
    logLevel,
    policyBundle: path.resolve(optional(env, 'POLICY_BUNDLE') ?? POLICY_BUNDLE_FILE),
    policyBundlePublicKey,
    fanout: fanoutSettings(env, relyingParty.rpOrigin),
  });
}

function fanoutSettings(env: Env, origin: string): FanoutConfig {
  try {
    return parseFanoutConfig(env, origin);
  } catch (err) {
    if (err instanceof FanoutConfigError) throw new ConfigError(err.variable, err.message.slice(err.variable.length + 2));
    throw err;
  }
}

/**
 * Returns the config with an ID secret: the configured one, or outside production one
 * generated on first use and kept in DATA_DIR so device identifiers stay stable.
 */
export function resolveIdSecret(config: Config): Config {
  if (config.idSecret !== undefined) return config;
  const file = path.join(config.dataDir, 'id_secret');
  let secret = readSecretFile(file);
  if (secret === undefined) {
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    try {
      writeFileSync(file, randomBytes(32).toString('base64url') + '\n', { mode: 0o600, flag: 'wx' });
    } catch (err) {
      // Another process created it first: use theirs.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    secret = readSecretFile(file) ?? '';
  }
  if (secret.length < MIN_SECRET_LENGTH) throw new ConfigError('ID_SECRET', `the secret kept in ${file} is too short`);
  return Object.freeze({ ...config, idSecret: secret });
}

function readSecretFile(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Reads, validates and completes the configuration of this process. */
export function loadConfig(env: Env = process.env): Config {
  return resolveIdSecret(parseConfig(env));
}
