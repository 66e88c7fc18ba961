/**
 * What the page does with the API and this browser's authenticator, one function per
 * thing a person asks for. `api` is `createApi(...)`'s call function; `credentials` is
 * `navigator.credentials` (passed in, so nothing here touches globals).
 */
import {
  authenticationResponseToJSON, creationOptionsFromJSON, registrationResponseToJSON, requestOptionsFromJSON,
} from './webauthnJson.js';

const path = (template, id) => template.replace('{id}', encodeURIComponent(id));

async function createPasskey(credentials, registrationOptions) {
  const credential = await credentials.create({ publicKey: creationOptionsFromJSON(registrationOptions) });
  if (!credential) throw new Error('the browser created no passkey');
  return registrationResponseToJSON(credential);
}

async function usePasskey(credentials, authenticationOptions) {
  const credential = await credentials.get({ publicKey: requestOptionsFromJSON(authenticationOptions) });
  if (!credential) throw new Error('the browser returned no passkey assertion');
  return authenticationResponseToJSON(credential);
}

/**
 * Starts an enrollment for this browser and registers its new passkey, presenting a
 * bootstrap or recovery code when given → `{enrollmentId, deviceId, state, requirements}`.
 */
export async function enrollThisBrowser(api, credentials, { accountHandle, label, platform, replacesDeviceId, bootstrapCode, recoveryCode }) {
  const body = { accountHandle, label, platform };
  if (replacesDeviceId) body.replacesDeviceId = replacesDeviceId;
  const started = await api('POST', '/v1/enrollments', body);
  const done = await registerCredential(api, credentials, { enrollmentId: started.enrollmentId, registrationOptions: started.registrationOptions, bootstrapCode, recoveryCode });
  return { enrollmentId: started.enrollmentId, ...done };
}

/** Creates the passkey for an enrollment already started (here or, for a replacement, elsewhere) → `{deviceId, state, requirements}`. */
export async function registerCredential(api, credentials, { enrollmentId, registrationOptions, bootstrapCode, recoveryCode }) {
  const body = { registrationResponse: await createPasskey(credentials, registrationOptions) };
  if (bootstrapCode) body.bootstrapCode = bootstrapCode;
  if (recoveryCode) body.recoveryCode = recoveryCode;
  return api('POST', path('/v1/enrollments/{id}/credential', enrollmentId), body);
}

/** Signs in with this browser's passkey → `{sessionToken, deviceId, accountId, expiresAt}`. */
export async function signIn(api, credentials, accountHandle) {
  const { authenticationOptions } = await api('POST', '/v1/sessions/options', { accountHandle });
  return api('POST', '/v1/sessions', { authenticationResponse: await usePasskey(credentials, authenticationOptions) });
}

/** Approves another device's enrollment with this device's passkey → `{state, requirements}`. */
export async function approveEnrollment(api, credentials, enrollmentId) {
  const { authenticationOptions } = await api('POST', path('/v1/enrollments/{id}/approval-options', enrollmentId));
  return api('POST', path('/v1/enrollments/{id}/approvals', enrollmentId), { authenticationResponse: await usePasskey(credentials, authenticationOptions) });
}

/** The account's devices: `{deviceId, label, platform, state, createdAt, enrollment: {enrollmentId, state} | null, …}`. */
export async function listDevices(api, accountId) {
  return (await api('GET', path('/v1/accounts/{id}/devices', accountId))).devices;
}

/** Revokes a device → `{state: 'revoked', epoch}`. */
export async function revokeDevice(api, deviceId, reason) {
  return api('POST', path('/v1/devices/{id}/revoke', deviceId), { reason });
}

/** Starts the replacement of a device → `{enrollmentId, deviceId, registrationOptions}` for the new device. */
export async function startReplacement(api, deviceId, { label, platform }) {
  return api('POST', path('/v1/devices/{id}/replace', deviceId), { label, platform });
}

/** A WebAuthn failure in words; other errors keep their own message. */
export function describeError(err) {
  switch (err && err.name) {
    case 'NotAllowedError': return 'The passkey request was cancelled or timed out. Try again when you are ready.';
    case 'InvalidStateError': return 'This browser already holds a passkey for that account; sign in with it instead.';
    case 'SecurityError': return 'This browser refused the passkey request for this address.';
    case 'NotSupportedError': return 'This browser cannot create a suitable passkey.';
    default: return err && err.message ? err.message : String(err);
  }
}
