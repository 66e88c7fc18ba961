/**
 * The verification code of a device link, computed on the new device from what it did itself:
 * the registration challenge it answered and the credential it created. The service computes
 * the same six digits from what it verified (src/trust/enrollment/verificationCode.ts) and
 * gives them to the approving device; a person approves only when both screens agree.
 */

/** Six digits: SHA-256 of the challenge and credential id, first 32 bits, modulo a million. */
export async function verificationCode(challenge, credentialId) {
  const data = new TextEncoder().encode(`enigm-link-v1\u0000${challenge}\u0000${credentialId}`);
  const digest = new DataView(await crypto.subtle.digest('SHA-256', data));
  return String(digest.getUint32(0) % 1_000_000).padStart(6, '0');
}

/** The code as shown: two groups of three digits, easy to read aloud and compare. */
export function formatCode(code) {
  return `${code.slice(0, 3)} ${code.slice(3)}`;
}
