/**
 * The links a QR code carries: `#link=enr_…` (approve this new device) and `#replace=CODE`
 * (finish this replacement). Both live in the URL's fragment, which browsers never send to a
 * server or in a Referer. Neither is a secret that grants anything by itself: approving still
 * takes a trusted device and a matching verification code; a replacement code is single-use.
 */

const ENROLLMENT_ID = /^enr_[A-Za-z0-9_-]{1,64}$/;
const REPLACEMENT_CODE = /^[0-9A-Za-z -]{10,16}$/;

/** The link a new device shows so a trusted device can approve it. */
export function approvalLink(origin, enrollmentId) {
  return `${origin}/#link=${enrollmentId}`;
}

/** The link an old device shows so its replacement can pick up the code. */
export function replacementLink(origin, code) {
  return `${origin}/#replace=${code}`;
}

/**
 * What a URL, a fragment or a pasted text asks for: `{link: enrollmentId}`, `{replace: code}`,
 * or null when it is neither. A bare enrollment ID counts as a link.
 */
export function readLink(text) {
  const t = String(text ?? '').trim();
  if (ENROLLMENT_ID.test(t)) return { link: t };
  const hash = t.includes('#') ? t.slice(t.indexOf('#') + 1) : '';
  if (hash === '') return null;
  const params = new URLSearchParams(hash);
  const link = params.get('link');
  if (link !== null && ENROLLMENT_ID.test(link)) return { link };
  const replace = params.get('replace');
  if (replace !== null && REPLACEMENT_CODE.test(replace)) return { replace: replace.toUpperCase() };
  return null;
}
