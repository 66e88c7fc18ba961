/**
 * Signing in to the console: an invitation opened and accepted with a new passkey, or a passkey
 * assertion; and the session that results, kept in this tab's sessionStorage only — never a
 * cookie, a URL or local storage. Only the session token and its end are stored: never the
 * invitation code, never a credential.
 */
import {
  authenticationResponseToJSON, creationOptionsFromJSON, registrationResponseToJSON, requestOptionsFromJSON,
} from '/assets/webauthnJson.js';

const SESSION_KEY = 'enigm-command.session';

/** The stored session `{token, expiresAt}`, or null once expired or absent. */
export function loadSession() {
  try {
    const s = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? 'null');
    if (!s || typeof s.token !== 'string' || Date.parse(s.expiresAt) <= Date.now()) return null;
    return { token: s.token, expiresAt: s.expiresAt };
  } catch {
    return null;
  }
}

/** Remembers `{token, expiresAt}` for this tab, or forgets it with null. */
export function saveSession(session) {
  if (session === null) sessionStorage.removeItem(SESSION_KEY);
  else sessionStorage.setItem(SESSION_KEY, JSON.stringify({ token: session.token, expiresAt: session.expiresAt }));
}

/** The invitation a code opens → `{administrator: {name, role, orgName}, registrationOptions}`. */
export function openInvitation(api, code) {
  return api('POST', '/v1/admin/invitations/options', { code });
}

/** Creates this browser's passkey for the invitation and accepts it → `{sessionToken, expiresAt, administrator}`. */
export async function acceptInvitation(api, credentials, code, registrationOptions) {
  const credential = await credentials.create({ publicKey: creationOptionsFromJSON(registrationOptions) });
  if (!credential) throw Object.assign(new Error('no passkey'), { name: 'NotAllowedError' });
  return api('POST', '/v1/admin/invitations/accept', { code, registrationResponse: registrationResponseToJSON(credential) });
}

/** Signs in with one of this browser's passkeys → `{sessionToken, expiresAt, administrator}`. */
export async function signInWithPasskey(api, credentials) {
  const { authenticationOptions } = await api('POST', '/v1/admin/sessions/options', {});
  const credential = await credentials.get({ publicKey: requestOptionsFromJSON(authenticationOptions) });
  if (!credential) throw Object.assign(new Error('no passkey'), { name: 'NotAllowedError' });
  return api('POST', '/v1/admin/sessions', { authenticationResponse: authenticationResponseToJSON(credential) });
}
