/**
 * What the page does with the API and this browser's authenticator, one function per
 * thing a person asks for. `api` is `createApi(...)`'s call function; `credentials` is
 * `navigator.credentials` (passed in, so nothing here touches globals).
 */
import { verificationCode } from './linkCode.js';
import {
  authenticationResponseToJSON, creationOptionsFromJSON, registrationResponseToJSON, requestOptionsFromJSON,
} from './webauthnJson.js';

const path = (template, id) => template.replace('{id}', encodeURIComponent(id));

async function createPasskey(credentials, registrationOptions) {
  const credential = await credentials.create({ publicKey: creationOptionsFromJSON(registrationOptions) });
  if (!credential) throw Object.assign(new Error('no passkey'), { name: 'NotAllowedError' });
  return registrationResponseToJSON(credential);
}

async function usePasskey(credentials, authenticationOptions) {
  const credential = await credentials.get({ publicKey: requestOptionsFromJSON(authenticationOptions) });
  if (!credential) throw Object.assign(new Error('no passkey'), { name: 'NotAllowedError' });
  return authenticationResponseToJSON(credential);
}

/**
 * Starts an enrollment for this browser and registers its new passkey, presenting a bootstrap or
 * recovery code when given → `{enrollmentId, deviceId, state, requirements, verificationCode}`.
 */
export async function enrollThisBrowser(api, credentials, { accountHandle, label, platform, replacesDeviceId, bootstrapCode, recoveryCode }) {
  const body = { accountHandle, label, platform };
  if (replacesDeviceId) body.replacesDeviceId = replacesDeviceId;
  const started = await api('POST', '/v1/enrollments', body);
  const done = await registerCredential(api, credentials, { enrollmentId: started.enrollmentId, registrationOptions: started.registrationOptions, bootstrapCode, recoveryCode });
  return { enrollmentId: started.enrollmentId, ...done };
}

/**
 * Creates the passkey for an enrollment already started (here, or for a replacement, by the old
 * device) and registers it → `{deviceId, state, requirements, verificationCode}`. If the browser
 * creates no passkey, the enrollment is cancelled so nothing of it lingers; a refused registration
 * is closed by the service itself. Either way a retry starts afresh.
 */
export async function registerCredential(api, credentials, { enrollmentId, registrationOptions, bootstrapCode, recoveryCode }) {
  let response;
  try {
    response = await createPasskey(credentials, registrationOptions);
  } catch (err) {
    await api('POST', path('/v1/enrollments/{id}/cancel', enrollmentId), { challenge: registrationOptions.challenge }).catch(() => undefined);
    throw err;
  }
  const body = { registrationResponse: response };
  if (bootstrapCode) body.bootstrapCode = bootstrapCode;
  if (recoveryCode) body.recoveryCode = recoveryCode;
  const result = await api('POST', path('/v1/enrollments/{id}/credential', enrollmentId), body);
  return { ...result, verificationCode: await verificationCode(registrationOptions.challenge, response.id) };
}

/** Claims a replacement code → `{enrollmentId, deviceId, accountHandle, label, platform, registrationOptions}`. */
export async function claimReplacement(api, code) {
  return api('POST', '/v1/replacements/claim', { code });
}

/** Signs in with this browser's passkey → `{sessionToken, deviceId, accountId, expiresAt}`. */
export async function signIn(api, credentials, accountHandle) {
  const { authenticationOptions } = await api('POST', '/v1/sessions/options', { accountHandle });
  return api('POST', '/v1/sessions', { authenticationResponse: await usePasskey(credentials, authenticationOptions) });
}

/**
 * What approving a new device starts with → `{authenticationOptions, verificationCode, device}`:
 * the code its person compares with the new device's screen before deciding.
 */
export async function approvalOptions(api, enrollmentId) {
  return api('POST', path('/v1/enrollments/{id}/approval-options', enrollmentId));
}

/** Approves with this device's passkey, the person having confirmed that the codes match → `{state, requirements}`. */
export async function approveEnrollment(api, credentials, enrollmentId, options) {
  const authenticationResponse = await usePasskey(credentials, options.authenticationOptions);
  return api('POST', path('/v1/enrollments/{id}/approvals', enrollmentId), { authenticationResponse, codeConfirmed: true });
}

/** The account's devices: `{deviceId, label, platform, state, createdAt, enrollment: {enrollmentId, state} | null, …}`. */
export async function listDevices(api, accountId) {
  return (await api('GET', path('/v1/accounts/{id}/devices', accountId))).devices;
}

/** The account's activity, newest first → `{seenUntil, items}`. */
export async function listActivity(api, accountId) {
  return api('GET', path('/v1/accounts/{id}/activity', accountId));
}

/** Records that this device's person has seen the activity until `until`. */
export async function markActivitySeen(api, accountId, until) {
  return api('POST', path('/v1/accounts/{id}/activity/seen', accountId), { until });
}

/** Revokes a device → `{state: 'revoked', epoch}`. */
export async function revokeDevice(api, deviceId, reason) {
  return api('POST', path('/v1/devices/{id}/revoke', deviceId), { reason });
}

/** Starts the replacement of a device → `{enrollmentId, deviceId, replacementCode, replacementCodeExpiresAt, …}`. */
export async function startReplacement(api, deviceId, { label, platform }) {
  return api('POST', path('/v1/devices/{id}/replace', deviceId), { label, platform });
}
