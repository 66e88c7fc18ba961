/**
 * The WebAuthn ceremonies on @simplewebauthn/server, reduced to what the flows need: options
 * for the browser, and verification that turns every library failure into a clear 400.
 * User verification is `preferred` (recorded, not required); user presence is required.
 */
import {
  generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse,
  type AuthenticationResponseJSON, type AuthenticatorTransport, type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON, type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { TrustError } from '../errors.js';
import type { RelyingParty } from './settings.js';

/** ES256 and EdDSA, then RS256: what platform authenticators offer. */
const ALGORITHMS = [-7, -8, -257];

/** What the service keeps of a verified registration: public material only. */
export interface RegisteredCredential {
  credentialId: string;
  publicKey: Uint8Array;
  counter: number;
  transports: string[];
  backupEligible: boolean;
  backedUp: boolean;
  aaguid: string;
  format: string;
  userVerified: boolean;
}

/** A stored credential an assertion is checked against. */
export interface StoredCredential {
  credentialId: string;
  publicKey: Uint8Array;
  transports: string[];
}

export interface VerifiedAssertion {
  counter: number;
  userVerified: boolean;
  backedUp: boolean;
}

/** The challenge a response claims to answer; a response whose client data does not parse is malformed. */
export function claimedChallenge(response: { response?: { clientDataJSON?: unknown } }, kind: 'registration' | 'assertion'): string {
  const raw = response.response?.clientDataJSON;
  try {
    const data = JSON.parse(Buffer.from(String(raw), 'base64url').toString('utf8')) as { challenge?: unknown };
    if (typeof data.challenge === 'string' && /^[A-Za-z0-9_-]{16,128}$/.test(data.challenge)) return data.challenge;
  } catch {
    // falls through to the refusal below
  }
  throw new TrustError(400, `${kind}_malformed`, `the ${kind} response's clientDataJSON is not base64url JSON carrying a challenge`);
}

/**
 * Options for navigator.credentials.create(). `user.id` is the account's stable WebAuthn user
 * handle: an authenticator keeps one discoverable credential per RP and user handle, so a new
 * passkey for the account replaces the browser's older one (say, of an enrollment that failed),
 * which sign-in — offering every passkey of the RP — would otherwise still pick.
 */
export function registrationOptions(rp: RelyingParty, challenge: string, user: { id: Uint8Array; name: string; displayName: string }, timeoutMs: number): Promise<PublicKeyCredentialCreationOptionsJSON> {
  return generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userName: user.name,
    userDisplayName: user.displayName,
    userID: new Uint8Array(user.id),
    challenge: Buffer.from(challenge, 'base64url'),
    timeout: timeoutMs,
    attestationType: 'none',
    // Discoverable: sessions are opened without listing credential ids to anonymous callers.
    authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
    supportedAlgorithmIDs: ALGORITHMS,
  });
}

/** Verifies a registration response against the challenge, origin and RP ID; refuses formats not accepted. */
export async function verifyRegistration(rp: RelyingParty, response: RegistrationResponseJSON, challenge: string, formats: readonly string[]): Promise<RegisteredCredential> {
  let result;
  try {
    result = await verifyRegistrationResponse({
      response, expectedChallenge: challenge, expectedOrigin: rp.origin, expectedRPID: rp.id,
      requireUserPresence: true, requireUserVerification: false, supportedAlgorithmIDs: ALGORITHMS,
    });
  } catch (err) {
    throw new TrustError(400, 'registration_invalid', `the registration response did not verify: ${(err as Error).message}`);
  }
  if (!result.verified) throw new TrustError(400, 'registration_invalid', 'the registration response did not verify');
  const info = result.registrationInfo;
  if (!formats.includes(info.fmt)) {
    throw new TrustError(400, 'attestation_format_unsupported', `attestation format "${info.fmt}" is not accepted; expected one of ${formats.join(', ')}`);
  }
  return {
    credentialId: info.credential.id,
    publicKey: info.credential.publicKey,
    counter: info.credential.counter,
    transports: (response.response.transports ?? []).map(String),
    backupEligible: info.credentialDeviceType === 'multiDevice',
    backedUp: info.credentialBackedUp,
    aaguid: info.aaguid,
    format: info.fmt,
    userVerified: info.userVerified,
  };
}

/** Options for navigator.credentials.get(); `allow` lists credentials only when the caller may know them. */
export function authenticationOptions(rp: RelyingParty, challenge: string, timeoutMs: number, allow: StoredCredential[] = []): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return generateAuthenticationOptions({
    rpID: rp.id,
    challenge: Buffer.from(challenge, 'base64url'),
    timeout: timeoutMs,
    userVerification: 'preferred',
    allowCredentials: allow.map((c) => ({ id: c.credentialId, transports: c.transports as AuthenticatorTransport[] })),
  });
}

/**
 * Verifies an assertion's origin, RP ID, challenge, user presence and signature. The sign
 * counter is left to the caller, who compares it with the stored one under a row lock (the
 * library would only throw, and a regression must restrict the device, not just refuse).
 */
export async function verifyAssertion(rp: RelyingParty, response: AuthenticationResponseJSON, challenge: string, stored: StoredCredential): Promise<VerifiedAssertion> {
  if (response.id !== stored.credentialId) throw new TrustError(400, 'assertion_invalid', 'the assertion was made with another credential than the one expected');
  let result;
  try {
    result = await verifyAuthenticationResponse({
      response, expectedChallenge: challenge, expectedOrigin: rp.origin, expectedRPID: rp.id, requireUserVerification: false,
      credential: { id: stored.credentialId, publicKey: new Uint8Array(stored.publicKey), counter: 0, transports: stored.transports as AuthenticatorTransport[] },
    });
  } catch (err) {
    throw new TrustError(400, 'assertion_invalid', `the assertion did not verify: ${(err as Error).message}`);
  }
  if (!result.verified) throw new TrustError(400, 'assertion_invalid', 'the assertion signature did not verify');
  const info = result.authenticationInfo;
  return { counter: info.newCounter, userVerified: info.userVerified, backedUp: info.credentialBackedUp };
}

/** A counter that did not increase, when either side ever counted: a possible cloned authenticator. */
export function isCounterRegression(stored: number, reported: number): boolean {
  return (stored > 0 || reported > 0) && reported <= stored;
}
