/**
 * One device: what it is and where it stands, its latest signals in words, its lifecycle
 * history (every step with who, when and why), its fan-out to each subscriber, and the actions
 * the administrator's role allows — each asking for a reason first.
 */
import { card, el, listTable, reasonForm, stateBadge, field, select } from './dom.js';
import {
  deliveryWords, describeState, formatTime, managedWords, platformName, signalWords, stepWords,
} from './consoleWords.js';
import { PLATFORMS } from '/assets/words.js';

/** Lifecycle actions an operator may take, and the states each applies to. */
const ACTIONS = [
  { action: 'restrict', label: 'Restrict', states: ['trusted'], question: 'Restrict this device? It keeps its place but loses access to what policy reserves for trusted devices.' },
  { action: 'unrestrict', label: 'Unrestrict', states: ['restricted'], question: 'Unrestrict this device? It becomes trusted again.' },
  { action: 'revoke', label: 'Revoke', states: ['pending', 'trusted', 'restricted'], question: 'Revoke this device? It gets nothing new from any Enigm service from now on, and can never be trusted again.', danger: true },
  { action: 'retire', label: 'Retire', states: ['trusted', 'restricted', 'revoked', 'replaced'], question: 'Retire this device? It leaves the inventory\'s active devices for good.', danger: true },
];

function facts(d) {
  const pairs = [
    ['Account', d.accountHandle],
    ['Platform', platformName(d.platform)],
    ['State', el('span', {}, stateBadge(d.state), ` — ${describeState(d.state)}`)],
    ['Why', d.stateReason ?? '—'],
    ['State since', formatTime(d.stateChangedAt)],
    ['Enrolled', formatTime(d.createdAt)],
    ['Approved', d.approvedAt ? `${formatTime(d.approvedAt)}${d.approvalMethod ? ` (by ${d.approvalMethod})` : ''}` : 'not yet'],
    ['Last seen', d.lastSeenAt ? formatTime(d.lastSeenAt) : 'never'],
    ['Managed status', managedWords(d.managed.status)],
    ['Passkey', d.protection === null ? 'none registered yet'
      : `${d.protection.backedUp ? 'synced (not bound to this device)' : d.protection.backupEligible ? 'may be synced' : 'bound to this device'}${d.protection.userVerifiedAtEnrollment ? ', user verified at enrollment' : ''}`],
    ['Live sessions', String(d.activeSessions)],
  ];
  if (d.replacesDeviceId) pairs.push(['Replaces', el('a', { href: `#/device/${d.replacesDeviceId}`, text: d.replacesDeviceId })]);
  if (d.replacedByDeviceId) pairs.push(['Replaced by', el('a', { href: `#/device/${d.replacedByDeviceId}`, text: d.replacedByDeviceId })]);
  if (d.counterAnomaly) pairs.push(['Warning', 'Its passkey counter once went backwards, as a copied passkey would.']);
  return el('dl', { class: 'facts' }, ...pairs.flatMap(([k, v]) => [el('dt', { text: k }), el('dd', {}, v)]));
}

function signals(d) {
  if (d.signals.length === 0) return el('p', { text: 'No signals received for this device.' });
  return el('ul', { class: 'plain-list' }, ...d.signals.map((s) => el('li', { text: signalWords(s) })));
}

function history(h) {
  if (h.items.length === 0) return el('p', { text: 'No recorded steps.' });
  return el('ol', { class: 'history' }, ...h.items.slice().reverse().map((step) => el('li', {},
    el('time', { datetime: step.at, text: formatTime(step.at) }),
    el('span', { text: stepWords(step) }),
    step.reason ? el('span', { class: 'muted', text: ` — “${step.reason}”` }) : null)));
}

function fanout(f) {
  if (f.subscribers.length === 0) return el('p', { text: 'No subscriber receives this organisation\'s device events.' });
  const rows = f.subscribers.map((s) => [
    s.name,
    s.enforcesCurrentEpoch ? `yes (epoch ${f.currentEpoch})` : `not yet (acknowledged ${s.acknowledgedEpoch ?? 'none'} of ${f.currentEpoch})`,
    s.events.length === 0 ? 'no events' : el('ul', { class: 'details' }, ...s.events.slice(-5).reverse().map((e) => el('li', {
      text: `${e.previousState} → ${e.state} (epoch ${e.epoch}): ${deliveryWords(e.status)}${e.deliveredAt ? ` ${formatTime(e.deliveredAt)}` : ''}${e.attempts > 1 ? `, ${e.attempts} attempts` : ''}`,
    }))),
  ]);
  return listTable('Fan-out of this device\'s lifecycle events per subscriber', ['Subscriber', 'Enforces the current device list', 'Latest events'], rows);
}

function replacementForm(ctx, d, area, done) {
  const label = el('input', { type: 'text', name: 'label', maxlength: 100, required: true });
  const platform = select('platform', PLATFORMS, d.platform);
  const labelField = field('New device name', label, 'How the person will recognise the new device.');
  const reason = el('textarea', { name: 'reason', class: 'reason', maxlength: 500 });
  const reasonField = field('Reason', reason, 'Recorded in the audit log with your name and role.');
  const form = el('form', { class: 'card once', method: 'post', novalidate: true, 'aria-label': 'Start a replacement' },
    el('p', {}, el('strong', { text: 'Start a replacement for this device?' })),
    el('p', { text: 'The person finishes it on the new device with the replacement code shown next; the old device is replaced once the new one is approved.' }),
    labelField, field('New device platform', platform), reasonField,
    el('div', { class: 'actions' }, el('button', { type: 'submit', text: 'Start the replacement' }), el('button', { type: 'button', class: 'secondary', text: 'Cancel', onclick: () => area.replaceChildren() })));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const missing = [[label, labelField, 'Name the new device.'], [reason, reasonField, 'Give a reason: it is recorded in the audit log.']]
      .filter(([input, f, message]) => {
        const empty = input.value.trim() === '';
        f.querySelector('.field-error').textContent = empty ? message : '';
        if (empty) input.setAttribute('aria-invalid', 'true');
        else input.removeAttribute('aria-invalid');
        return empty;
      });
    if (missing.length) {
      missing[0][0].focus();
      return;
    }
    void ctx.run(event.submitter, 'Starting the replacement…', async () => {
      const r = await ctx.api('POST', `/v1/devices/${encodeURIComponent(d.deviceId)}/replace`, { label: label.value.trim(), platform: platform.value, reason: reason.value.trim() });
      // The code is shown this once, to hand to the person; "Done" takes it out of the page.
      const shown = el('section', { class: 'card once', 'aria-label': 'Replacement code' },
        el('p', { text: `Give the person this replacement code; they type it on the new device's page under “Finish a replacement”. It works once, until ${formatTime(r.replacementCodeExpiresAt)}.` }),
        el('p', { class: 'short-code-display', text: r.replacementCode ?? '' }),
        el('div', { class: 'actions' }, el('button', { type: 'button', text: 'Done', onclick: () => { area.replaceChildren(); void done(); } })));
      area.replaceChildren(shown);
      ctx.say('Replacement started.');
    });
  });
  queueMicrotask(() => label.focus());
  return form;
}

function actions(ctx, d, area, reload) {
  const group = el('div', { class: 'actions' });
  if (ctx.may('devices.lifecycle')) {
    for (const a of ACTIONS.filter((x) => x.states.includes(d.state))) {
      group.append(el('button', {
        type: 'button', class: a.danger ? 'danger' : 'secondary', text: a.label, 'aria-label': `${a.label} ${d.label || d.deviceId}`,
        onclick: () => area.replaceChildren(reasonForm({
          question: a.question, confirmLabel: `${a.label} the device`, danger: a.danger,
          onCancel: () => area.replaceChildren(),
          onConfirm: (reason, button) => ctx.run(button, `${a.label}…`, async () => {
            const r = await ctx.api('POST', `/v1/devices/${encodeURIComponent(d.deviceId)}/${a.action}`, { reason });
            area.replaceChildren();
            await reload();
            ctx.say(`Done: the device is now ${r.state}.`);
          }),
        })),
      }));
    }
    if (d.state === 'trusted' || d.state === 'restricted') {
      group.append(el('button', { type: 'button', class: 'secondary', text: 'Start a replacement', onclick: () => area.replaceChildren(replacementForm(ctx, d, area, reload)) }));
    }
  }
  if (d.state === 'pending' && d.enrollmentId && ctx.may('enrollments.decide')) {
    group.append(el('a', { href: '#/review', text: 'Review its enrollment in the review queue' }));
  }
  return group.childElementCount === 0 ? null : group;
}

/** Renders device `deviceId` into `root`. */
export async function render(ctx, root, deviceId) {
  const id = encodeURIComponent(deviceId);
  const [d, h, f] = await Promise.all([
    ctx.api('GET', `/v1/admin/devices/${id}`),
    ctx.api('GET', `/v1/admin/devices/${id}/history`),
    ctx.api('GET', `/v1/devices/${id}/fanout`),
  ]);
  ctx.title(`Device: ${d.label || d.deviceId}`);
  const area = el('div');
  const reload = async () => {
    root.replaceChildren();
    await render(ctx, root, deviceId);
  };
  const acts = actions(ctx, d, area, reload);
  root.append(
    el('p', {}, el('a', { href: '#/inventory', text: '← Back to the inventory' })),
    card('Where it stands', el('p', {}, el('code', { text: d.deviceId })), facts(d), acts, area),
    card('Latest signals', signals(d)),
    card('Lifecycle history', history(h)),
    card('Fan-out to subscribers', fanout(f)),
  );
}
