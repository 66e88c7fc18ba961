/**
 * The device page: sign in with this browser's passkey, enroll this browser, link a new device
 * by QR code or link and compare verification codes, see the account's devices and activity,
 * and revoke or replace them. Three views (signed out, linking this device, signed in); progress
 * in the status region, failures in the alert region — always in words.js's words, never the
 * service's own — and focus moved to each new view.
 */
import { ApiError, createApi } from './apiClient.js';
import { newsOf, renderActivity } from './activityList.js';
import { renderDevices } from './devicesTable.js';
import * as flows from './flows.js';
import { formatCode } from './linkCode.js';
import { approvalLink, readLink, replacementLink } from './links.js';
import { drawQr } from './qrCode.js';
import {
  loadLinkToApprove, loadPendingEnrollment, loadSession, saveLinkToApprove, savePendingEnrollment, saveSession,
} from './storage.js';
import { describeProblem, describeRequirement, formatTime, personError, platformName, PLATFORMS } from './words.js';

const $ = (id) => document.getElementById(id);
const credentials = navigator.credentials;
const origin = location.origin;
let session = loadSession();
const api = createApi(() => (session ? session.token : null));
/** The device a revoke dialog or the replace form is about. */
let revoking = null;
let replacing = null;
/** The enrollment an approval dialog is about: `{enrollmentId, options}`. */
let approving = null;

// ---- What the person is told ----

function say(message) {
  $('error').textContent = '';
  $('status').textContent = message;
}

function fail(err) {
  $('status').textContent = '';
  $('error').textContent = describeProblem(err);
}

/** Why a live session was refused: it expired, or this device lost its trust elsewhere. */
function sessionEndedWords() {
  if (session && Date.parse(session.expiresAt) <= Date.now()) return 'Your session expired. Sign in again.';
  return 'This device is no longer trusted: it was revoked or replaced from another device, so its session ended. It cannot sign in again; to use this browser, enroll it anew.';
}

/** Runs `work` with `control` disabled and its form marked busy, reporting any failure. */
async function run(control, progress, work) {
  const form = control.form ?? control.closest('form');
  control.disabled = true;
  form?.setAttribute('aria-busy', 'true');
  say(progress);
  try {
    await work();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401 && session) {
      endSession(sessionEndedWords());
      return;
    }
    fail(err);
  } finally {
    control.disabled = false;
    form?.removeAttribute('aria-busy');
  }
}

// ---- Views ----

function show(view) {
  for (const name of ['signed-out', 'pending', 'signed-in']) $(`view-${name}`).hidden = name !== view;
  const heading = { 'signed-out': 'sign-in-title', pending: 'pending-title', 'signed-in': 'this-device-title' }[view];
  $(heading).setAttribute('tabindex', '-1');
  $(heading).focus();
}

function showPending(enrollment) {
  const link = approvalLink(origin, enrollment.enrollmentId);
  $('pending-label').textContent = enrollment.label;
  $('pending-label-step').textContent = enrollment.label;
  $('pending-code').textContent = formatCode(enrollment.verificationCode);
  $('pending-link').value = link;
  drawQr($('pending-qr'), link, 'QR code of the link that approves this device');
  $('pending-requirements').replaceChildren(...(enrollment.requirements ?? []).map((code) => {
    const li = document.createElement('li');
    li.textContent = describeRequirement(code);
    return li;
  }));
  show('pending');
}

async function showSignedIn() {
  $('me-handle').textContent = session.accountHandle;
  $('me-device-id').textContent = session.deviceId;
  $('me-expires').textContent = formatTime(session.expiresAt);
  $('replace-section').hidden = true;
  show('signed-in');
  await refresh({ news: true });
}

/** Forgets the session and every form's content; `message` is a problem unless `tone` is 'notice'. */
function endSession(message, tone = 'problem') {
  session = null;
  saveSession(null);
  for (const form of document.querySelectorAll('form')) form.reset();
  syncApprovalFields();
  $('news').hidden = true;
  show('signed-out');
  if (tone === 'notice') say(message);
  else fail(personError(message));
}

/**
 * Reloads the device list and the activity. With `news`, also tells what joined or left since
 * this device last looked, and records that its person has now seen it all.
 */
async function refresh({ news = false } = {}) {
  const [devices, activity] = await Promise.all([flows.listDevices(api, session.accountId), flows.listActivity(api, session.accountId)]);
  renderDevices($('devices-body'), devices, session.deviceId, {
    onApprove: (d) => run(rowButton(d.deviceId, 'button'), 'Loading the verification code…', () => openApproval(d.enrollment.enrollmentId)),
    onReplace: openReplace, onRevoke: openRevoke,
  });
  renderActivity($('activity-list'), activity.items, session.deviceId);
  if (news) {
    const items = newsOf(activity.items, session.deviceId);
    $('news-list').replaceChildren(...items.map((text) => {
      const li = document.createElement('li');
      li.textContent = text;
      return li;
    }));
    $('news').hidden = items.length === 0;
  }
  if (activity.items.length > 0) await flows.markActivitySeen(api, session.accountId, activity.items[0].at);
}

// ---- Signing in and enrolling ----

async function signInAs(accountHandle) {
  const r = await flows.signIn(api, credentials, accountHandle);
  session = { token: r.sessionToken, deviceId: r.deviceId, accountId: r.accountId, accountHandle, expiresAt: r.expiresAt };
  saveSession(session);
  savePendingEnrollment(null);
  await showSignedIn();
  say(`Signed in as ${accountHandle} with this device.`);
  const link = loadLinkToApprove();
  if (link) {
    saveLinkToApprove(null);
    await openApproval(link);
  }
}

/** After this browser's passkey is registered: trusted now, or waiting to be linked. */
async function afterRegistration(enrollment, result) {
  if (result.state === 'trusted' || result.state === 'restricted') {
    say(result.state === 'trusted' ? 'This browser is now trusted. Signing in…' : 'This browser now has reduced access. Signing in…');
    await signInAs(enrollment.accountHandle);
    return;
  }
  if (result.state !== 'pending') throw personError('This enrollment was refused. Start again, or ask your administrator.');
  const pending = { ...enrollment, deviceId: result.deviceId, requirements: result.requirements, verificationCode: result.verificationCode };
  savePendingEnrollment(pending);
  showPending(pending);
  say('This browser is enrolled. Now approve it from one of your trusted devices.');
}

function value(id) {
  return $(id).value.trim();
}

/** Checks required fields, marking the first empty one; returns its label text or null. */
function missingField(ids) {
  for (const id of ids) $(id).removeAttribute('aria-invalid');
  const empty = ids.find((id) => value(id) === '');
  if (empty === undefined) return null;
  $(empty).setAttribute('aria-invalid', 'true');
  $(empty).focus();
  return document.querySelector(`label[for="${empty}"]`).textContent;
}

function requiredError(label) {
  return personError(`${label} is required.`);
}

function onSubmit(formId, handler) {
  $(formId).addEventListener('submit', (event) => {
    event.preventDefault();
    handler(event.submitter ?? $(formId).querySelector('button[type=submit]'));
  });
}

onSubmit('sign-in-form', (button) => {
  const missing = missingField(['sign-in-handle']);
  if (missing) return fail(requiredError(missing));
  run(button, 'Waiting for this device’s passkey…', () => signInAs(value('sign-in-handle')));
});

function approvalChoice() {
  return document.querySelector('input[name="approval"]:checked').value;
}

function syncApprovalFields() {
  const choice = approvalChoice();
  $('enroll-code-field').hidden = choice === 'device';
  $('enroll-replaces-field').hidden = choice !== 'recovery';
}

for (const radio of document.querySelectorAll('input[name="approval"]')) radio.addEventListener('change', syncApprovalFields);

onSubmit('enroll-form', (button) => {
  const choice = approvalChoice();
  const missing = missingField(['enroll-handle', 'enroll-label', ...(choice === 'device' ? [] : ['enroll-code'])]);
  if (missing) return fail(requiredError(missing));
  const request = {
    accountHandle: value('enroll-handle'), label: value('enroll-label'), platform: $('enroll-platform').value,
    replacesDeviceId: choice === 'recovery' ? value('enroll-replaces') : '',
    bootstrapCode: choice === 'bootstrap' ? value('enroll-code') : '',
    recoveryCode: choice === 'recovery' ? value('enroll-code') : '',
  };
  run(button, 'Creating a passkey for this browser…', async () => {
    const result = await flows.enrollThisBrowser(api, credentials, request);
    $('enroll-code').value = '';
    await afterRegistration({ enrollmentId: result.enrollmentId, accountHandle: request.accountHandle, label: request.label }, result);
  });
});

onSubmit('finish-replacement-form', (button) => {
  const missing = missingField(['replacement-code-input']);
  if (missing) return fail(requiredError(missing));
  const code = value('replacement-code-input');
  if (!/^[0-9A-Za-z -]{10,16}$/.test(code)) {
    $('replacement-code-input').setAttribute('aria-invalid', 'true');
    return fail(personError('A replacement code has ten letters and digits, like K7M2Q-9XWPD. Check it against your old device’s screen.'));
  }
  run(button, 'Checking the replacement code…', async () => {
    const claimed = await flows.claimReplacement(api, code);
    say('Creating a passkey for this browser…');
    let result;
    try {
      result = await flows.registerCredential(api, credentials, claimed);
    } catch (err) {
      // The code was spent by the claim: a new one is needed, whatever failed after it.
      throw personError(`${describeProblem(err)} The replacement code is used up: on your old device, start the replacement again for a new code.`);
    }
    $('replacement-code-input').value = '';
    await afterRegistration({ enrollmentId: claimed.enrollmentId, accountHandle: claimed.accountHandle, label: claimed.label }, result);
  });
});

$('pending-sign-in').addEventListener('click', (event) => {
  const pending = loadPendingEnrollment();
  run(event.currentTarget, 'Checking whether this browser was approved…', () => signInAs(pending.accountHandle));
});

$('pending-copy').addEventListener('click', async () => {
  try {
    await navigator.clipboard.writeText($('pending-link').value);
    say('The link is copied.');
  } catch {
    $('pending-link').select();
    say('Copying is not allowed here: the link is selected, copy it with your keyboard.');
  }
});

$('pending-start-over').addEventListener('click', () => {
  savePendingEnrollment(null);
  show('signed-out');
  say('Start over: sign in, or enroll this browser. The waiting enrollment stays in your device list until it is approved, rejected or expires; reject it there if you no longer want it.');
});

// ---- Signed in: devices, linking, revocation, replacement ----

$('sign-out').addEventListener('click', () => endSession('Signed out: this tab forgot its session.', 'notice'));

$('devices-refresh').addEventListener('click', (event) => {
  run(event.currentTarget, 'Loading the devices…', async () => {
    await refresh();
    say('The device list is up to date.');
  });
});

/** The button matching `selector` in a device's row, or the refresh button once the row is gone. */
function rowButton(deviceId, selector) {
  const row = [...$('devices-body').rows].find((tr) => tr.dataset.deviceId === deviceId);
  return row?.querySelector(selector) ?? $('devices-refresh');
}

/**
 * Opens the approval of an enrollment: the service gives the verification code the new device
 * must show, and the person compares before anything is signed. Anyone who knows the account
 * handle can ask to join it, and anyone can send a link: the code is what tells them apart.
 */
async function openApproval(enrollmentId) {
  say('Loading the verification code…');
  const options = await flows.approvalOptions(api, enrollmentId);
  approving = { enrollmentId, options };
  $('approve-device-label').textContent = options.device.label || options.device.deviceId;
  $('approve-code').textContent = formatCode(options.verificationCode);
  $('approve-dialog-platform').textContent = platformName(options.device.platform);
  $('approve-dialog-created').textContent = formatTime(options.device.createdAt);
  say(`Compare the verification code with the one ${options.device.label} shows.`);
  $('approve-dialog').showModal();
}

async function approve({ enrollmentId, options }) {
  const result = await flows.approveEnrollment(api, credentials, enrollmentId, options);
  const needs = (result.requirements ?? []).map(describeRequirement).join('; ');
  const message = result.state === 'pending' ? `Approval recorded; ${options.device.label} still needs: ${needs}.`
    : `Approved: ${options.device.label} is now ${result.state === 'trusted' ? 'trusted' : 'one of your devices, with reduced access'}.`;
  say(message);
  try {
    await refresh();
  } catch (err) {
    // Approving this device's own replacement ends its trust, and its session with it.
    if (err instanceof ApiError && err.status === 401) endSession(`${message} This device was replaced and is signed out.`, 'notice');
    else throw err;
  }
}

onSubmit('approve-dialog-form', (button) => {
  $('approve-dialog').close();
  const pending = approving;
  approving = null;
  const deviceId = pending.options.device.deviceId;
  const label = pending.options.device.label;
  if (button.value === 'approve') {
    run(rowButton(deviceId, 'button'), `Approving ${label}: confirm with this device’s passkey…`, () => approve(pending));
  } else if (button.value === 'mismatch') {
    const words = personError(`The codes differ, so nothing was approved. The device waiting as “${label}” is not the one in your hand: reject it in the list below unless you can explain the difference, then link the new device again.`);
    // The list may not show that device yet (it came by link): bring it up to date, then offer its Reject button.
    refresh().catch(() => undefined).finally(() => {
      fail(words);
      rowButton(deviceId, 'button.danger').focus();
    });
  } else {
    say('Nothing was approved.');
  }
});

onSubmit('link-form', (button) => {
  const missing = missingField(['link-input']);
  if (missing) return fail(requiredError(missing));
  const target = readLink(value('link-input'));
  if (!target || !target.link) {
    $('link-input').setAttribute('aria-invalid', 'true');
    return fail(personError('That is not a link to approve a device. Copy the whole link the new device shows (it contains “#link=enr_”), or its enrollment ID.'));
  }
  run(button, 'Loading the verification code…', async () => {
    await openApproval(target.link);
    $('link-input').value = '';
  });
});

function openRevoke(device) {
  revoking = device;
  // A pending device is rejected rather than revoked: the same lifecycle step, in the person's words.
  const pending = device.state === 'pending';
  $('revoke-verb').textContent = pending ? 'Reject' : 'Revoke';
  $('revoke-confirm').textContent = pending ? 'Reject the device' : 'Revoke the device';
  $('revoke-device-label').textContent = device.label || device.deviceId;
  $('revoke-reason').value = '';
  $('revoke-problem').textContent = '';
  $('revoke-dialog').showModal();
}

onSubmit('revoke-form', (button) => {
  if (button.value !== 'revoke') {
    $('revoke-dialog').close();
    return;
  }
  // Said inside the dialog: the page behind a modal dialog is inert, its alert unheard.
  const missing = missingField(['revoke-reason']);
  if (missing) {
    $('revoke-problem').textContent = `${missing} is required.`;
    return;
  }
  const device = revoking;
  $('revoke-dialog').close();
  const done = device.state === 'pending' ? 'rejected' : 'revoked';
  run(rowButton(device.deviceId, 'button.danger'), `${done === 'rejected' ? 'Rejecting' : 'Revoking'} ${device.label}…`, async () => {
    await flows.revokeDevice(api, device.deviceId, value('revoke-reason'));
    if (device.deviceId === session.deviceId) {
      endSession('This device is revoked and signed out.', 'notice');
      return;
    }
    await refresh();
    say(`${device.label} is ${done}.`);
  });
});

function openReplace(device) {
  replacing = device;
  $('replace-old-label').textContent = device.label || device.deviceId;
  $('replace-old-id').textContent = device.deviceId;
  $('replace-form').hidden = false;
  $('replace-result').hidden = true;
  $('replace-section').hidden = false;
  $('replace-label').focus();
}

onSubmit('replace-form', (button) => {
  const missing = missingField(['replace-label']);
  if (missing) return fail(requiredError(missing));
  const label = value('replace-label');
  run(button, `Starting the replacement of ${replacing.label}…`, async () => {
    const started = await flows.startReplacement(api, replacing.deviceId, { label, platform: $('replace-platform').value });
    $('replacement-code-output').textContent = started.replacementCode;
    $('replace-expires').textContent = formatTime(started.replacementCodeExpiresAt);
    drawQr($('replace-qr'), replacementLink(origin, started.replacementCode), 'QR code of the replacement code, for the new device’s camera');
    $('replace-form').hidden = true;
    $('replace-result').hidden = false;
    $('replace-title').setAttribute('tabindex', '-1');
    $('replace-title').focus();
    await refresh();
    say('Replacement started: give the code to the new device.');
  });
});

$('replace-cancel').addEventListener('click', () => {
  $('replace-section').hidden = true;
});

$('replace-done').addEventListener('click', () => {
  $('replace-section').hidden = true;
  $('replacement-code-output').textContent = '';
  $('replace-qr').replaceChildren();
  run($('devices-refresh'), 'Loading the devices…', async () => {
    await refresh();
    say('The device list is up to date.');
  });
});

// ---- Links opened on this page (a scanned QR code) ----

/** Acts on `#link=…` or `#replace=…` in the address, then removes it from the address bar. */
function followLink() {
  const target = readLink(location.hash);
  if (location.hash) history.replaceState(null, '', location.pathname);
  if (!target) return;
  if (target.replace) {
    if (session) {
      say('This link is for the new device: open it there to finish the replacement.');
      return;
    }
    show('signed-out');
    $('replacement-code-input').value = target.replace;
    $('replacement-code-input').focus();
    say('Your replacement code is filled in: choose “Enroll this browser as the replacement”.');
    return;
  }
  if (session) {
    run($('devices-refresh'), 'Loading the verification code…', () => openApproval(target.link));
    return;
  }
  saveLinkToApprove(target.link);
  show('signed-out');
  say('To approve the new device, first sign in here with this device’s passkey.');
}

window.addEventListener('hashchange', followLink);

// ---- Start ----

function fillPlatforms(select) {
  select.replaceChildren(...PLATFORMS.map(([code, name]) => {
    const option = document.createElement('option');
    option.value = code;
    option.textContent = name;
    return option;
  }));
}

fillPlatforms($('enroll-platform'));
fillPlatforms($('replace-platform'));
syncApprovalFields();

if (!credentials || typeof credentials.create !== 'function' || typeof globalThis.PublicKeyCredential !== 'function') {
  show('signed-out');
  fail(personError('This browser does not support passkeys (WebAuthn), which this page needs. Use a current browser, at the address the service printed when it started (localhost, not 127.0.0.1).'));
} else if (session) {
  showSignedIn().then(followLink).catch((err) => {
    if (err instanceof ApiError && err.status === 401) endSession(sessionEndedWords());
    else fail(err);
  });
} else if (loadPendingEnrollment() && !location.hash) {
  showPending(loadPendingEnrollment());
} else {
  show('signed-out');
  followLink();
}
