/**
 * POST /v1/devices/{id}/signals/nonce, as a domain operation: a fresh nonce for the next Enigm
 * OS integrity attestation of a device that still takes signals, in an organisation that has
 * attestation keys configured (otherwise no attestation could ever verify).
 */
import type { Redis } from 'ioredis';
import type { Queryable } from '../../store/database.js';
import { TrustError } from '../errors.js';
import { issueSignalNonce, NONCE_TTL_SECONDS } from './nonces.js';
import { SignalRejectedError } from './signalRejectedError.js';
import { loadSignalSource } from './signalSources.js';
import { loadSignalTarget } from './signalStore.js';

/** Issues a nonce bound to `deviceId`; 404 for an unknown device, 409 for one that takes no signals. */
export async function issueAttestationNonce(q: Queryable, redis: Redis | undefined, deviceId: string, now: Date = new Date()): Promise<{ deviceId: string; nonce: string; expiresAt: string; ttlSeconds: number }> {
  const target = await loadSignalTarget(q, deviceId);
  if (!(await loadSignalSource(q, target.orgId, 'os_integrity'))) {
    throw new SignalRejectedError('signal_source_not_configured', 'osIntegrity', "the device's organisation has no Enigm OS attestation keys configured");
  }
  if (!redis) throw new TrustError(503, 'redis_unavailable', 'nonces need Redis, which this service does not have');
  const { nonce, expiresAt } = await issueSignalNonce(redis, target.deviceId, now);
  return { deviceId: target.deviceId, nonce, expiresAt: expiresAt.toISOString(), ttlSeconds: NONCE_TTL_SECONDS };
}
