/**
 * Enigm Command: the administrators' console. Signed out, it offers passkey sign-in and
 * invitations (a link's `#invitation=` fragment is read once and taken out of the address bar);
 * signed in, it shows the section the address names (`#/inventory`, `#/device/dev_…`, …) and
 * only what the administrator's role allows — the server refuses the rest whatever the page
 * shows. Progress goes to the status region, failures to the alert region, in words.
 */
import { ApiError, createApi } from '/assets/apiClient.js';
import { describeProblem, formatTime, roleWords } from './consoleWords.js';
import { acceptInvitation, loadSession, openInvitation, saveSession, signInWithPasskey } from './signIn.js';
import * as inventoryView from './inventoryView.js';
import * as deviceView from './deviceView.js';
import * as reviewView from './reviewView.js';
import * as replacementsView from './replacementsView.js';
import * as reportView from './reportView.js';
import * as auditView from './auditView.js';
import * as settingsView from './settingsView.js';
import * as administratorsView from './administratorsView.js';

const $ = (id) => document.getElementById(id);
let session = loadSession();
let me = null;
/** The invitation being accepted: its code stays in this variable only. */
let invitation = null;
const api = createApi(() => (session ? session.token : null));

/** Section name → its view and the permission it needs. */
const VIEWS = {
  inventory: { view: inventoryView, permission: 'inventory.read' },
  device: { view: deviceView, permission: 'inventory.read' },
  review: { view: reviewView, permission: 'inventory.read' },
  replacements: { view: replacementsView, permission: 'inventory.read' },
  report: { view: reportView, permission: 'inventory.read' },
  audit: { view: auditView, permission: 'audit.read' },
  settings: { view: settingsView, permission: 'organisation.read' },
  administrators: { view: administratorsView, permission: 'administrators.manage' },
};

function say(message) {
  $('error').textContent = '';
  $('status').textContent = message;
}

function fail(err) {
  if (err instanceof ApiError && err.status === 401 && session) {
    endSession('Your session ended (it expired, or an owner removed you). Sign in again.');
    return;
  }
  $('status').textContent = '';
  $('error').textContent = describeProblem(err);
}

function may(permission) {
  return Boolean(me && me.permissions.includes(permission));
}

function title(text) {
  $('page-title').textContent = text;
  document.title = `${text} — Enigm Command`;
}

function show(view) {
  for (const name of ['signed-out', 'invitation', 'content']) $(`view-${name}`).hidden = name !== view;
  const signedIn = view === 'content';
  $('nav').hidden = !signedIn;
  $('who').hidden = !signedIn;
}

function endSession(message) {
  session = null;
  me = null;
  saveSession(null);
  $('view-content').replaceChildren();
  title('Enigm Command');
  show('signed-out');
  if (message) {
    $('status').textContent = '';
    $('error').textContent = message;
  }
  $('sign-in').focus();
}

/** Runs `work` with `control` disabled, reporting any failure in words. */
async function run(control, progress, work, report = { say, fail }) {
  if (control) control.disabled = true;
  if (progress) report.say(progress);
  try {
    await work();
  } catch (err) {
    report.fail(err);
  } finally {
    if (control) control.disabled = false;
  }
}

async function startSession(opened) {
  session = { token: opened.sessionToken, expiresAt: opened.expiresAt };
  saveSession(session);
  me = await api('GET', '/v1/admin/session');
  $('who').textContent = `${me.administrator.name} · ${roleWords(me.administrator.role)} · ${me.administrator.orgName} · session ends ${formatTime(me.expiresAt)}`;
  for (const item of $('nav-list').children) item.hidden = !may(item.dataset.permission);
  show('content');
  if (!location.hash.startsWith('#/')) location.hash = may('inventory.read') ? '#/inventory' : '#/audit';
  else await route();
}

/** Counts route() calls, so a render the person has navigated away from knows it. */
let routeGeneration = 0;

/** The section the address names, if the role may see it; otherwise the first one it may. */
async function route() {
  if (!session || !me) return;
  const [, name = '', param = ''] = /^#\/([a-z]+)(?:\/([A-Za-z0-9_-]+))?/.exec(location.hash) ?? [];
  const entry = VIEWS[name];
  if (!entry || !may(entry.permission)) {
    location.replace(may('inventory.read') ? '#/inventory' : '#/audit');
    return;
  }
  for (const a of $('nav-list').querySelectorAll('a')) {
    if (a.getAttribute('href') === `#/${name}` || (name === 'device' && a.getAttribute('href') === '#/inventory')) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  // A view renders over several requests; one the person has already left must not write over
  // the next (its title, its words, its content): it renders into a container of its own, which
  // the next route detaches, and its ctx goes quiet.
  const generation = ++routeGeneration;
  const current = () => generation === routeGeneration;
  const root = document.createElement('div');
  $('view-content').replaceChildren(root);
  $('status').textContent = '';
  $('error').textContent = '';
  const report = {
    say: (text) => { if (current()) say(text); },
    fail: (err) => { if (current()) fail(err); },
  };
  const ctx = {
    api, me, may, ...report,
    run: (control, progress, work) => run(control, progress, work, report),
    title: (text) => { if (current()) title(text); },
    go: (hash) => { if (current()) location.hash = hash; },
  };
  try {
    await entry.view.render(ctx, root, param);
  } catch (err) {
    ctx.fail(err);
  }
  if (current()) $('page-title').focus();
}

// ---- Signed out: passkey sign-in, invitations ----

$('sign-in').addEventListener('click', () => run($('sign-in'), 'Waiting for your passkey…', async () => {
  await startSession(await signInWithPasskey(api, navigator.credentials));
  say('Signed in.');
}));

async function showInvitation(code) {
  const opened = await openInvitation(api, code);
  invitation = { code, options: opened.registrationOptions };
  $('invited-name').textContent = opened.administrator.name;
  $('invited-org').textContent = opened.administrator.orgName;
  $('invited-role').textContent = roleWords(opened.administrator.role);
  title('Accept your invitation');
  show('invitation');
  say('');
  $('invited-title').setAttribute('tabindex', '-1');
  $('invited-title').focus();
}

$('invitation-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = $('invitation-code');
  const code = input.value.trim();
  if (code === '') {
    $('error').textContent = 'Type the invitation code first.';
    input.setAttribute('aria-invalid', 'true');
    input.focus();
    return;
  }
  input.removeAttribute('aria-invalid');
  // The code leaves the form at once: it is kept in memory only until the passkey exists.
  input.value = '';
  void run(event.submitter ?? null, 'Opening the invitation…', () => showInvitation(code));
});

$('invitation-accept').addEventListener('click', () => run($('invitation-accept'), 'Creating your passkey…', async () => {
  if (!invitation) return;
  const opened = await acceptInvitation(api, navigator.credentials, invitation.code, invitation.options);
  invitation = null;
  await startSession(opened);
  say('Your passkey is registered and you are signed in. Next time, sign in with it.');
}));

$('invitation-cancel').addEventListener('click', () => {
  invitation = null;
  title('Enigm Command');
  show('signed-out');
  say('');
});

$('sign-out').addEventListener('click', () => run($('sign-out'), 'Signing out…', async () => {
  try {
    await api('DELETE', '/v1/admin/session');
  } finally {
    endSession(null);
    say('Signed out.');
  }
}));

window.addEventListener('hashchange', () => {
  if (location.hash.startsWith('#invitation=')) {
    void bootInvitation();
    return;
  }
  void route();
});

async function bootInvitation() {
  const code = decodeURIComponent(location.hash.slice('#invitation='.length));
  // The code leaves the address bar (and the history) before anything else happens.
  history.replaceState(null, '', location.pathname);
  if (session) endSession(null);
  await run(null, 'Opening the invitation…', () => showInvitation(code));
}

async function boot() {
  if (location.hash.startsWith('#invitation=')) {
    show('signed-out');
    await bootInvitation();
    return;
  }
  if (!session) {
    show('signed-out');
    return;
  }
  try {
    await startSession({ sessionToken: session.token, expiresAt: session.expiresAt });
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) endSession('Your session ended. Sign in again.');
    else fail(err);
  }
}

// An idle page learns of its session's end too: at its expiry, and within half a minute of a
// sign-out elsewhere or a removal by an owner (the server refuses the session at once anyway).
const CHECK_MS = 30_000;
setInterval(() => {
  if (!session) return;
  if (Date.parse(session.expiresAt) <= Date.now()) {
    endSession('Your session expired. Sign in again with your passkey.');
    return;
  }
  api('GET', '/v1/admin/session').catch((err) => {
    if (err instanceof ApiError && err.status === 401 && session) endSession('Your session ended (it expired, or an owner removed you). Sign in again.');
  });
}, CHECK_MS);

void boot();
