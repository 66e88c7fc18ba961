/**
 * Fan-out settings from the environment: where the queues live, how hard a delivery is tried,
 * and which key signs the Security Event Tokens. Validated like the rest of the configuration:
 * a bad value throws a ConfigError naming the variable.
 */

/** A fan-out setting that cannot be used; `variable` names the environment variable. */
export class FanoutConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly variable: string, message: string) {
    super(`${variable}: ${message}`);
  }
}

export interface FanoutConfig {
  /** Run the relay and the delivery worker inside the service process (`FANOUT_IN_PROCESS`). */
  readonly inProcess: boolean;
  /** BullMQ key prefix (`FANOUT_PREFIX`): deployments sharing one Redis need distinct ones. */
  readonly prefix: string;
  /** Delivery attempts before a delivery is marked failed (`FANOUT_ATTEMPTS`). */
  readonly attempts: number;
  /** First retry delay; doubles each attempt, with jitter (`FANOUT_BACKOFF_MS`). */
  readonly backoffMs: number;
  /** Largest retry delay (`FANOUT_BACKOFF_MAX_MS`). */
  readonly backoffMaxMs: number;
  /** Time a subscriber gets to answer one push (`FANOUT_TIMEOUT_MS`). */
  readonly timeoutMs: number;
  /** Pushes in flight per subscriber and process (`FANOUT_CONCURRENCY`). */
  readonly concurrency: number;
  /** How soon, at most, a killed worker's job is taken up again by another worker (`FANOUT_LOCK_MS`; see stallTimings). */
  readonly lockMs: number;
  /** How often the relay looks for new outbox rows (`FANOUT_POLL_MS`). */
  readonly pollMs: number;
  /** How often each instance looks for deliveries no live job carries, and enqueues them again (`FANOUT_RECONCILE_MS`). */
  readonly reconcileMs: number;
  /** `iss` of every SET (`SET_ISSUER`). */
  readonly issuer: string;
  /** A private EC P-256 JWK (JSON) to sign with instead of the generated key (`SET_SIGNING_KEY`). */
  readonly signingKey: string | undefined;
}

type Env = Readonly<Record<string, string | undefined>>;

function value(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = value(env, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max) throw new FanoutConfigError(name, `must be an integer from ${min} to ${max}, got "${raw}"`);
  return n;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = value(env, name);
  if (raw === undefined) return fallback;
  if (/^(true|1|yes)$/i.test(raw)) return true;
  if (/^(false|0|no)$/i.test(raw)) return false;
  throw new FanoutConfigError(name, `must be true or false, got "${raw}"`);
}

function issuer(env: Env, fallback: string): string {
  const raw = value(env, 'SET_ISSUER') ?? fallback;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new FanoutConfigError('SET_ISSUER', `must be a URL, got "${raw}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new FanoutConfigError('SET_ISSUER', `must be an http(s) URL, got "${url.protocol}"`);
  return raw;
}

/**
 * Reads the fan-out settings. The signing key is only checked for being JSON here; its shape
 * is checked when it is imported, at start.
 * @param defaultIssuer `iss` when SET_ISSUER is not set (the service's own origin)
 */
export function parseFanoutConfig(env: Env, defaultIssuer: string): FanoutConfig {
  const signingKey = value(env, 'SET_SIGNING_KEY');
  if (signingKey !== undefined) {
    try {
      JSON.parse(signingKey);
    } catch {
      throw new FanoutConfigError('SET_SIGNING_KEY', 'must be a private JWK in JSON');
    }
  }
  const prefix = value(env, 'FANOUT_PREFIX') ?? 'enigm-trust';
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(prefix)) throw new FanoutConfigError('FANOUT_PREFIX', `must be 1 to 64 letters, digits, "_", "." or "-", got "${prefix}"`);
  const backoffMs = integer(env, 'FANOUT_BACKOFF_MS', 1000, 1, 3_600_000);
  const backoffMaxMs = integer(env, 'FANOUT_BACKOFF_MAX_MS', 300_000, 1, 86_400_000);
  if (backoffMaxMs < backoffMs) throw new FanoutConfigError('FANOUT_BACKOFF_MAX_MS', `must not be below FANOUT_BACKOFF_MS (${backoffMs})`);
  return Object.freeze({
    inProcess: boolean(env, 'FANOUT_IN_PROCESS', true),
    prefix,
    attempts: integer(env, 'FANOUT_ATTEMPTS', 10, 1, 100),
    backoffMs,
    backoffMaxMs,
    timeoutMs: integer(env, 'FANOUT_TIMEOUT_MS', 5000, 10, 120_000),
    concurrency: integer(env, 'FANOUT_CONCURRENCY', 16, 1, 500),
    lockMs: integer(env, 'FANOUT_LOCK_MS', 30_000, 500, 600_000),
    pollMs: integer(env, 'FANOUT_POLL_MS', 200, 10, 60_000),
    reconcileMs: integer(env, 'FANOUT_RECONCILE_MS', 30_000, 100, 3_600_000),
    issuer: issuer(env, defaultIssuer),
    signingKey,
  });
}
