/**
 * The review queue: enrollments and replacements waiting for approval, what each still needs,
 * and — for the roles that may — approve or deny with a reason. An expired one says so and
 * offers nothing to decide.
 */
import { card, el, reasonForm } from './dom.js';
import { describeRequirement, formatTime, platformName } from './consoleWords.js';

function item(ctx, e, reload) {
  const area = el('div');
  const name = e.label || e.deviceId;
  const kind = e.replacesDeviceId ? 'Replacement' : 'New device';
  const needs = e.expired
    ? el('p', { class: 'bad', text: `Expired ${formatTime(e.expiresAt)}: it can no longer be approved. The person starts again.` })
    : e.state === 'started'
      ? el('p', { text: 'Waiting for the new device to register its passkey: nothing to decide yet.' })
      : el('div', {}, el('p', { text: 'Still needs (any one):' }), el('ul', { class: 'plain-list' }, ...e.requirements.map((r) => el('li', { text: describeRequirement(r) }))));
  const buttons = el('div', { class: 'actions' });
  const decidable = !e.expired && e.state === 'registered' && ctx.may('enrollments.decide');
  const decide = (decision, label, question, danger) => el('button', {
    type: 'button', class: danger ? 'danger' : undefined, text: label, 'aria-label': `${label} ${name} of ${e.accountHandle}`,
    onclick: () => area.replaceChildren(reasonForm({
      question, confirmLabel: label, danger,
      onCancel: () => area.replaceChildren(),
      onConfirm: (reason, button) => ctx.run(button, 'Recording your decision…', async () => {
        const r = await ctx.api('POST', `/v1/enrollments/${encodeURIComponent(e.enrollmentId)}/approvals`, { decision, reason });
        await reload();
        ctx.say(r.state === 'trusted' || r.state === 'restricted'
          ? `Approved: ${name} is now ${r.state}.`
          : r.state === 'pending' ? `Recorded. ${name} still waits for: ${r.requirements.map(describeRequirement).join('; ') || 'another approval'}.`
            : `Denied: ${name} is ${r.state}.`);
      }),
    })),
  });
  if (decidable && ctx.me.administrator.role === 'approver') buttons.append(decide('approve', 'Approve', `Approve ${name} for ${e.accountHandle}? Check with the person first.`, false));
  if (decidable) buttons.append(decide('deny', 'Deny', `Deny ${name} for ${e.accountHandle}? Its pending device is revoked.`, true));
  return el('li', { class: 'card', 'aria-label': `${kind}: ${name} of ${e.accountHandle}` },
    el('h3', { text: `${kind}: ${name}` }),
    el('dl', { class: 'facts' },
      el('dt', { text: 'Account' }), el('dd', { text: e.accountHandle }),
      el('dt', { text: 'Platform' }), el('dd', { text: platformName(e.platform) }),
      el('dt', { text: 'Device' }), el('dd', {}, el('a', { href: `#/device/${e.deviceId}`, text: e.deviceId })),
      ...(e.replacesDeviceId ? [el('dt', { text: 'Replaces' }), el('dd', {}, el('a', { href: `#/device/${e.replacesDeviceId}`, text: e.replacesDeviceId }))] : []),
      el('dt', { text: 'Started' }), el('dd', { text: formatTime(e.createdAt) }),
      el('dt', { text: e.expired ? 'Expired' : 'Expires' }), el('dd', { text: formatTime(e.expiresAt) })),
    needs, buttons.childElementCount ? buttons : null, area);
}

/** Renders the review queue into `root`. */
export async function render(ctx, root) {
  ctx.title('Review queue');
  const list = el('ul', { class: 'plain-list review-list' });
  const reload = async () => {
    const page = await ctx.api('GET', '/v1/admin/enrollments?state=started,registered&includeExpired=true&limit=100');
    const open = page.items.filter((e) => !e.expired);
    const expired = page.items.filter((e) => e.expired);
    list.replaceChildren(...[...open, ...expired].map((e) => item(ctx, e, reload)));
    if (page.items.length === 0) list.append(el('li', { text: 'Nothing waits for review.' }));
  };
  root.append(card('Waiting for a decision', el('p', { text: ctx.may('enrollments.decide') ? 'Approve only a device you have checked with its person.' : 'Your role reads the queue; approvers decide.' }), list));
  await reload();
}
