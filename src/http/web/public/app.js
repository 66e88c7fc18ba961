/**
 * The page's controller: three views (signed out, waiting for approval, signed in), the
 * forms that drive flows.js, and what a person hears and sees about each step — progress
 * in the status region, failures in the alert region, focus moved to each new view.
 */
import { ApiError, createApi } from './apiClient.js';
import { renderDevices } from './devicesTable.js';
import * as flows from './flows.js';
import { decodeReplacementCode, encodeReplacementCode } from './replacementCode.js';
import { loadPendingEnrollment, loadSession, savePendingEnrollment, saveSession } from './storage.js';
import { describeRequirement, formatTime, platformName, PLATFORMS } from './words.js';

const $ = (id) => document.getElementById(id);
const credentials = navigator.credentials;
let session = loadSession();
const api = createApi(() => (session ? session.token : null));
/** The device a revoke dialog or the replace form is about. */
let revoking = null;
let replacing = null;

// ---- What the person is told ----

function say(message) {
  $('error').textContent = '';
  $('status').textContent = message;
}

function fail(err) {
  $('status').textContent = '';
  $('error').textContent = flows.describeError(err);
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
      endSession('Your session has ended: this device is no longer trusted, or the session expired. Sign in again.');
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
  $('pending-enrollment-id').textContent = enrollment.enrollmentId;
  $('pending-label').textContent = enrollment.label;
  $('pending-device-id').textContent = enrollment.deviceId;
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
  await refreshDevices();
}

/** Forgets the session and every form's content; `message` is a problem unless `tone` is 'notice'. */
function endSession(message, tone = 'problem') {
  session = null;
  saveSession(null);
  for (const form of document.querySelectorAll('form')) form.reset();
  syncApprovalFields();
  show('signed-out');
  if (tone === 'notice') say(message);
  else fail(new Error(message));
}

async function refreshDevices() {
  const devices = await flows.listDevices(api, session.accountId);
  renderDevices($('devices-body'), devices, session.deviceId, { onApprove: approveFromList, onReplace: openReplace, onRevoke: openRevoke });
}

// ---- Signing in and enrolling ----

async function signInAs(accountHandle) {
  const r = await flows.signIn(api, credentials, accountHandle);
  session = { token: r.sessionToken, deviceId: r.deviceId, accountId: r.accountId, accountHandle, expiresAt: r.expiresAt };
  saveSession(session);
  savePendingEnrollment(null);
  await showSignedIn();
  say(`Signed in as ${accountHandle} with this device.`);
}

/** After this browser's passkey is registered: trusted now, or waiting for an approval. */
async function afterRegistration(enrollment, result) {
  if (result.state === 'trusted' || result.state === 'restricted') {
    say(`This browser is now ${result.state}. Signing in…`);
    await signInAs(enrollment.accountHandle);
    return;
  }
  if (result.state !== 'pending') throw new Error(`the enrollment ended as ${result.state}`);
  const pending = { ...enrollment, deviceId: result.deviceId, requirements: result.requirements };
  savePendingEnrollment(pending);
  showPending(pending);
  say('Enrolled. This browser now waits for an approval.');
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

function onSubmit(formId, handler) {
  $(formId).addEventListener('submit', (event) => {
    event.preventDefault();
    handler(event.submitter ?? $(formId).querySelector('button[type=submit]'));
  });
}

onSubmit('sign-in-form', (button) => {
  const missing = missingField(['sign-in-handle']);
  if (missing) return fail(new Error(`${missing} is required.`));
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
  if (missing) return fail(new Error(`${missing} is required.`));
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
  if (missing) return fail(new Error(`${missing} is required.`));
  run(button, 'Creating a passkey for this browser…', async () => {
    const replacement = decodeReplacementCode($('replacement-code-input').value);
    const result = await flows.registerCredential(api, credentials, replacement);
    $('replacement-code-input').value = '';
    const { enrollmentId, accountHandle, label } = replacement;
    await afterRegistration({ enrollmentId, accountHandle, label }, result);
  });
});

$('pending-sign-in').addEventListener('click', (event) => {
  const pending = loadPendingEnrollment();
  run(event.currentTarget, 'Checking whether this browser was approved…', async () => {
    try {
      await signInAs(pending.accountHandle);
    } catch (err) {
      if (err instanceof ApiError || err.name === 'NotAllowedError') {
        throw new Error(`Not signed in: ${flows.describeError(err).replace(/[.!]?$/, '.')} If the enrollment is not approved yet, approve it first.`);
      }
      throw err;
    }
  });
});

$('pending-start-over').addEventListener('click', () => {
  savePendingEnrollment(null);
  show('signed-out');
  say('Start over: sign in, or enroll this browser.');
});

// ---- Signed in: devices, approvals, revocation, replacement ----

$('sign-out').addEventListener('click', () => endSession('Signed out: this tab forgot its session.', 'notice'));

$('devices-refresh').addEventListener('click', (event) => {
  run(event.currentTarget, 'Loading the devices…', async () => {
    await refreshDevices();
    say('The device list is up to date.');
  });
});

/** The button matching `selector` in a device's row, or the refresh button once the row is gone. */
function rowButton(device, selector) {
  const row = [...$('devices-body').rows].find((tr) => tr.dataset.deviceId === device.deviceId);
  return row?.querySelector(selector) ?? $('devices-refresh');
}

async function approve(enrollmentId) {
  const result = await flows.approveEnrollment(api, credentials, enrollmentId);
  const needs = (result.requirements ?? []).map(describeRequirement).join('; ');
  say(result.state === 'pending' ? `Approval recorded; the device still needs: ${needs}.` : `Approved: the new device is now ${result.state}.`);
  try {
    await refreshDevices();
  } catch (err) {
    // Approving this device's own replacement ends its trust, and its session with it.
    if (err instanceof ApiError && err.status === 401) endSession(`Approved: the new device is now ${result.state}. This device was replaced and is signed out.`, 'notice');
    else throw err;
  }
}

/** The device an approval dialog asks about. */
let approving = null;

// Approving from the list first shows the enrollment ID to compare with the new device's screen:
// anyone who knows the handle can start an enrollment under a name of their choosing.
function approveFromList(device) {
  approving = device;
  $('approve-device-label').textContent = device.label || device.deviceId;
  $('approve-dialog-enrollment-id').textContent = device.enrollment.enrollmentId;
  $('approve-dialog-platform').textContent = platformName(device.platform);
  $('approve-dialog-created').textContent = formatTime(device.createdAt);
  $('approve-dialog').showModal();
}

onSubmit('approve-dialog-form', (button) => {
  $('approve-dialog').close();
  if (button.value !== 'approve') return;
  const device = approving;
  run(rowButton(device, 'button'), `Approving ${device.label}: confirm with this device’s passkey…`, () => approve(device.enrollment.enrollmentId));
});

onSubmit('approve-form', (button) => {
  const missing = missingField(['approve-enrollment-id']);
  if (missing) return fail(new Error(`${missing} is required.`));
  run(button, 'Approving: confirm with this device’s passkey…', async () => {
    await approve(value('approve-enrollment-id'));
    $('approve-enrollment-id').value = '';
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
  run(rowButton(device, 'button.danger'), `${done === 'rejected' ? 'Rejecting' : 'Revoking'} ${device.label}…`, async () => {
    await flows.revokeDevice(api, device.deviceId, value('revoke-reason'));
    if (device.deviceId === session.deviceId) {
      endSession('This device is revoked and signed out.', 'notice');
      return;
    }
    await refreshDevices();
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
  if (missing) return fail(new Error(`${missing} is required.`));
  const label = value('replace-label');
  run(button, `Starting the replacement of ${replacing.label}…`, async () => {
    const started = await flows.startReplacement(api, replacing.deviceId, { label, platform: $('replace-platform').value });
    $('replacement-code-output').value = encodeReplacementCode({
      accountHandle: session.accountHandle, enrollmentId: started.enrollmentId, deviceId: started.deviceId, label, registrationOptions: started.registrationOptions,
    });
    $('replace-enrollment-id').textContent = started.enrollmentId;
    $('replace-form').hidden = true;
    $('replace-result').hidden = false;
    $('replacement-code-output').focus();
    say('Replacement started: give the code to the new device.');
  });
});

$('replace-cancel').addEventListener('click', () => {
  $('replace-section').hidden = true;
});

$('replace-copy').addEventListener('click', async () => {
  const output = $('replacement-code-output');
  try {
    await navigator.clipboard.writeText(output.value);
    say('The replacement code is copied.');
  } catch {
    output.select();
    say('Copying is not allowed here: the code is selected, copy it with your keyboard.');
  }
});

$('replace-done').addEventListener('click', () => {
  $('replace-section').hidden = true;
  $('replacement-code-output').value = '';
  run($('devices-refresh'), 'Loading the devices…', async () => {
    await refreshDevices();
    say('The device list is up to date.');
  });
});

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
  fail(new Error('This browser does not support passkeys (WebAuthn), which this page needs.'));
} else if (session) {
  showSignedIn().catch((err) => {
    if (err instanceof ApiError && err.status === 401) endSession('Your session has ended. Sign in again.');
    else fail(err);
  });
} else if (loadPendingEnrollment()) {
  showPending(loadPendingEnrollment());
} else {
  show('signed-out');
}
