/**
 * The enrollment routes' dependencies, built from the API's: Redis and the configuration
 * (RP ID, origin, ID secret) are required; settings default to the production values.
 */
import type { ApiDeps } from '../../api.js';
import { policyInputValidator } from '../../api.js';
import { DEFAULT_ENROLLMENT_SETTINGS, type EnrollmentDeps, type EnrollmentSettings } from '../../../trust/enrollment/settings.js';

export const ENROLLMENT_INPUT_SCHEMA = 'https://schemas.enigm.dev/trust/enrollment-input.schema.json';

/** The deps, or undefined when the API runs without Redis or configuration (then the routes are not mounted). */
export function enrollmentDeps(api: ApiDeps, overrides: Partial<EnrollmentSettings> = {}): EnrollmentDeps | undefined {
  if (!api.redis || !api.config?.idSecret) return undefined;
  return {
    db: api.db,
    redis: api.redis,
    policy: () => api.policies.current(),
    validateEnrollmentInput: policyInputValidator(ENROLLMENT_INPUT_SCHEMA),
    rp: { id: api.config.rpId, origin: api.config.rpOrigin, name: 'Enigm' },
    idSecret: api.config.idSecret,
    settings: { ...DEFAULT_ENROLLMENT_SETTINGS, ...overrides },
  };
}
