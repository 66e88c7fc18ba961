/**
 * Posture: what a device says about itself (OS, patch age, screen lock, biometrics, app
 * version). Stored as reported and always passed to policy as unverified: the device could
 * say anything, so posture can prompt, never raise trust.
 */

/** A posture report as the API accepts it (schemas/api/signal-report.schema.json). */
export interface PostureReport {
  osName?: string;
  osVersion?: string;
  patchAgeDays?: number;
  screenLock?: boolean;
  biometrics?: boolean;
  appVersion?: string;
}

/** A signal ready to be stored. */
export interface NewSignal {
  kind: 'posture' | 'managed' | 'os_integrity';
  verified: boolean;
  status: string | null;
  issuer: string | null;
  /** Metadata the policy input reads; never a token or key material. */
  payload: Record<string, unknown>;
  issuedAt: Date;
}

/** The stored form of a posture report: snake_case fields as the policy input names them. */
export function postureSignal(report: PostureReport, now: Date): NewSignal {
  const payload: Record<string, unknown> = {};
  const fields: Array<[keyof PostureReport, string]> = [
    ['osName', 'os_name'], ['osVersion', 'os_version'], ['patchAgeDays', 'patch_age_days'],
    ['screenLock', 'screen_lock'], ['biometrics', 'biometrics'], ['appVersion', 'app_version'],
  ];
  for (const [from, to] of fields) if (report[from] !== undefined) payload[to] = report[from];
  // Self-reported: never verified, and dated by its arrival, not by anything the device claims.
  return { kind: 'posture', verified: false, status: null, issuer: null, payload, issuedAt: now };
}
