/**
 * Managed-device status as Enigm Command shows it, computed in SQL so lists can filter and
 * page on it. It follows the decision policy's reading of the latest managed-device
 * statement (`policies/enigm/trust/decision.rego`, `managed_compliant`): the most recently
 * received statement counts; it must be verified and fresh to say anything: no older than the
 * maximum age of the organisation's managed signal source, else its `managed_max_age_seconds`
 * setting, else its default (30 days; `schemas/organisation-settings.schema.json`), and not past its own expiry (`payload.expires_at`).
 */
import { SETTING_DEFAULTS } from '../organisations/settings.js';
import type { Params } from './sql.js';

export const MANAGED_STATUSES = ['compliant', 'noncompliant', 'stale', 'unverified', 'missing'] as const;
export type ManagedStatus = (typeof MANAGED_STATUSES)[number];

/**
 * `LEFT JOIN LATERAL … ms`: the latest managed statement of device alias `d`, and the
 * expression of its status. Needs `o` (the organisation) in scope.
 */
export function managedStatusSql(params: Params, now: Date): { join: string; status: string } {
  const at = params.add(now);
  const fallback = params.add(SETTING_DEFAULTS.managed_max_age_seconds);
  const maxAge = `coalesce(
      (SELECT ss.max_age_seconds FROM signal_sources ss WHERE ss.org_id = o.id AND ss.kind = 'managed')::double precision,
      CASE WHEN jsonb_typeof(o.settings->'managed_max_age_seconds') = 'number'
           THEN (o.settings->>'managed_max_age_seconds')::double precision END,
      ${fallback}::double precision)`;
  // An expiry that is not a well-formed timestamp counts as expired, as it does for the policy input.
  // CASE, not OR: the cast must only run on text shaped like a timestamp.
  const expired = `(jsonb_typeof(ms.payload->'expires_at') = 'string' AND CASE
      WHEN ms.payload->>'expires_at' ~ '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,6})?(Z|[+-]\\d{2}:\\d{2})$'
      THEN ${at}::timestamptz >= (ms.payload->>'expires_at')::timestamptz
      ELSE true END)`;
  return {
    join: `LEFT JOIN LATERAL (
             SELECT s.verified, s.status, s.issuer, s.issued_at, s.payload FROM signals s
              WHERE s.device_id = d.id AND s.kind = 'managed'
              ORDER BY s.received_at DESC, s.id DESC LIMIT 1) ms ON true`,
    status: `CASE WHEN ms.issued_at IS NULL THEN 'missing'
                  WHEN NOT ms.verified THEN 'unverified'
                  WHEN ms.issued_at < ${at}::timestamptz - make_interval(secs => ${maxAge}) OR ${expired} THEN 'stale'
                  WHEN ms.status = 'compliant' THEN 'compliant'
                  ELSE 'noncompliant' END`,
  };
}
