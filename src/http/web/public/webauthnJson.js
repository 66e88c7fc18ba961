/**
 * WebAuthn options and credentials between their JSON form (as the API sends and expects
 * them, in @simplewebauthn's shape: binary fields as unpadded base64url) and the browser's
 * form (ArrayBuffers). Pure functions: no DOM, no network, so they run in tests too.
 */

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** Decodes unpadded base64url text to bytes; throws a TypeError naming `field` on bad input. */
export function base64urlToBytes(text, field = 'value') {
  if (typeof text !== 'string' || !BASE64URL.test(text) || text.length % 4 === 1) {
    throw new TypeError(`${field} must be base64url text`);
  }
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Encodes bytes (an ArrayBuffer or a view of one) as unpadded base64url text. */
export function bytesToBase64url(data) {
  const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  let binary = '';
  // Chunked: String.fromCharCode with one argument per byte would overflow the stack on large inputs.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function requireObject(value, field) {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new TypeError(`${field} must be an object`);
  return value;
}

function credentialDescriptors(list, field) {
  if (list === undefined) return undefined;
  if (!Array.isArray(list)) throw new TypeError(`${field} must be a list`);
  return list.map((d, i) => ({ ...requireObject(d, `${field}[${i}]`), id: base64urlToBytes(d.id, `${field}[${i}].id`) }));
}

/** Registration options in JSON form → `PublicKeyCredentialCreationOptions` for `navigator.credentials.create`. */
export function creationOptionsFromJSON(json) {
  const options = requireObject(json, 'registration options');
  const user = requireObject(options.user, 'registration options user');
  const decoded = {
    ...options,
    challenge: base64urlToBytes(options.challenge, 'registration options challenge'),
    user: { ...user, id: base64urlToBytes(user.id, 'registration options user.id') },
  };
  const exclude = credentialDescriptors(options.excludeCredentials, 'registration options excludeCredentials');
  if (exclude === undefined) delete decoded.excludeCredentials;
  else decoded.excludeCredentials = exclude;
  return decoded;
}

/** Authentication options in JSON form → `PublicKeyCredentialRequestOptions` for `navigator.credentials.get`. */
export function requestOptionsFromJSON(json) {
  const options = requireObject(json, 'authentication options');
  const decoded = { ...options, challenge: base64urlToBytes(options.challenge, 'authentication options challenge') };
  const allow = credentialDescriptors(options.allowCredentials, 'authentication options allowCredentials');
  if (allow === undefined) delete decoded.allowCredentials;
  else decoded.allowCredentials = allow;
  return decoded;
}

function optionalBase64url(buffer) {
  return buffer === null || buffer === undefined ? undefined : bytesToBase64url(buffer);
}

function commonFields(credential) {
  return {
    id: credential.id,
    rawId: bytesToBase64url(credential.rawId),
    type: credential.type,
    authenticatorAttachment: credential.authenticatorAttachment ?? undefined,
    clientExtensionResults: typeof credential.getClientExtensionResults === 'function' ? credential.getClientExtensionResults() : {},
  };
}

/** The `PublicKeyCredential` that `create` returned → the registration response JSON the API verifies. */
export function registrationResponseToJSON(credential) {
  const r = credential.response;
  const response = {
    clientDataJSON: bytesToBase64url(r.clientDataJSON),
    attestationObject: bytesToBase64url(r.attestationObject),
    transports: typeof r.getTransports === 'function' ? r.getTransports() : [],
  };
  if (typeof r.getPublicKeyAlgorithm === 'function') response.publicKeyAlgorithm = r.getPublicKeyAlgorithm();
  if (typeof r.getPublicKey === 'function') response.publicKey = optionalBase64url(r.getPublicKey());
  if (typeof r.getAuthenticatorData === 'function') response.authenticatorData = bytesToBase64url(r.getAuthenticatorData());
  return withoutUndefined({ ...commonFields(credential), response: withoutUndefined(response) });
}

/** The `PublicKeyCredential` that `get` returned → the authentication response JSON the API verifies. */
export function authenticationResponseToJSON(credential) {
  const r = credential.response;
  const response = {
    clientDataJSON: bytesToBase64url(r.clientDataJSON),
    authenticatorData: bytesToBase64url(r.authenticatorData),
    signature: bytesToBase64url(r.signature),
    userHandle: optionalBase64url(r.userHandle),
  };
  return withoutUndefined({ ...commonFields(credential), response: withoutUndefined(response) });
}

// The API rejects unknown or null fields; absent ones are simply left out.
function withoutUndefined(object) {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined));
}
