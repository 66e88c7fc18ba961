/**
 * What this tab remembers between page loads: the device session, an enrollment that waits
 * for approval, and a link to approve that arrived before the person signed in. Kept in sessionStorage only — never a cookie, never a URL — so it is
 * sent nowhere automatically and is forgotten when the tab closes.
 */

const SESSION_KEY = 'enigm-trust.session';
const ENROLLMENT_KEY = 'enigm-trust.pending-enrollment';
const LINK_KEY = 'enigm-trust.link-to-approve';

function read(key) {
  try {
    const raw = sessionStorage.getItem(key);
    return raw === null ? null : JSON.parse(raw);
  } catch {
    return null;
  }
}

function write(key, value) {
  if (value === null) sessionStorage.removeItem(key);
  else sessionStorage.setItem(key, JSON.stringify(value));
}

/** The live session `{token, deviceId, accountId, accountHandle, expiresAt}`, or null once expired or absent. */
export function loadSession() {
  const s = read(SESSION_KEY);
  if (!s || typeof s.token !== 'string' || Date.parse(s.expiresAt) <= Date.now()) return null;
  return s;
}

/** Remembers the session, or forgets it with null. */
export function saveSession(session) {
  write(SESSION_KEY, session);
}

/** The enrollment this tab started and waits on `{enrollmentId, deviceId, accountHandle, label, requirements, verificationCode}`, or null. */
export function loadPendingEnrollment() {
  return read(ENROLLMENT_KEY);
}

/** Remembers the waiting enrollment, or forgets it with null. */
export function savePendingEnrollment(enrollment) {
  write(ENROLLMENT_KEY, enrollment);
}

/** The enrollment ID of a link opened before signing in, or null. */
export function loadLinkToApprove() {
  return read(LINK_KEY);
}

/** Remembers a link to approve after signing in, or forgets it with null. */
export function saveLinkToApprove(enrollmentId) {
  write(LINK_KEY, enrollmentId);
}
