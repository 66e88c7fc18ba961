/**
 * The replacement code: what the device that starts a replacement hands to the new device,
 * which has no session of its own — the account handle, the enrollment the API opened
 * for it and the registration options to create its passkey with. One line of text, so
 * it survives copy and paste; it carries no session token and no secret of the old device.
 */
import { base64urlToBytes, bytesToBase64url } from './webauthnJson.js';

const PREFIX = 'enigm-replacement.';
const VERSION = 1;
const STRING_FIELDS = ['accountHandle', 'enrollmentId', 'deviceId', 'label'];

/** Encodes `{accountHandle, enrollmentId, deviceId, label, registrationOptions}` as a code. */
export function encodeReplacementCode(replacement) {
  const json = JSON.stringify({ v: VERSION, ...pick(replacement) });
  return PREFIX + bytesToBase64url(new TextEncoder().encode(json));
}

/** Decodes a pasted code (whitespace and line breaks ignored); throws a TypeError saying what is wrong. */
export function decodeReplacementCode(text) {
  const compact = String(text ?? '').replace(/\s+/g, '');
  if (!compact.startsWith(PREFIX)) throw new TypeError('this is not a replacement code: it should start with “enigm-replacement.”');
  let parsed;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(base64urlToBytes(compact.slice(PREFIX.length))));
  } catch {
    throw new TypeError('the replacement code is damaged: copy it again, completely');
  }
  if (parsed === null || typeof parsed !== 'object' || parsed.v !== VERSION) throw new TypeError('the replacement code comes from another version of this page');
  for (const field of STRING_FIELDS) {
    if (typeof parsed[field] !== 'string' || parsed[field] === '') throw new TypeError(`the replacement code lacks its ${field}`);
  }
  if (parsed.registrationOptions === null || typeof parsed.registrationOptions !== 'object') throw new TypeError('the replacement code lacks its registration options');
  return pick(parsed);
}

function pick(r) {
  return {
    accountHandle: r.accountHandle, enrollmentId: r.enrollmentId, deviceId: r.deviceId, label: r.label,
    registrationOptions: r.registrationOptions,
  };
}
