/**
 * The trust-state report: how many devices are in each state (a chart and its table), per
 * platform, managed compliance, stale devices, and devices a signal restricts.
 */
import { barChart } from './barChart.js';
import { card, el, field, listTable, stateBadge } from './dom.js';
import { DEVICE_STATES, formatTime, managedWords, platformName } from './consoleWords.js';

let staleAfterDays = 30;

function deviceLink(d) {
  return el('a', { href: `#/device/${d.deviceId}`, class: 'row-link', text: d.deviceId });
}

/** Renders the report into `root`. */
export async function render(ctx, root) {
  ctx.title('Trust report');
  const r = await ctx.api('GET', `/v1/admin/reports/trust-states?staleAfterDays=${staleAfterDays}`);
  const days = el('input', { type: 'number', name: 'staleAfterDays', min: 1, max: 3650, value: String(staleAfterDays), inputmode: 'numeric' });
  const daysField = field('Stale after (days without being seen)', days);
  const form = el('form', { class: 'filters', method: 'post', novalidate: true, 'aria-label': 'Report options' }, daysField, el('div', { class: 'actions' }, el('button', { type: 'submit', text: 'Update the report' })));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const n = Number(days.value);
    if (!Number.isInteger(n) || n < 1 || n > 3650) {
      daysField.querySelector('.field-error').textContent = 'A whole number of days from 1 to 3650.';
      days.setAttribute('aria-invalid', 'true');
      days.focus();
      return;
    }
    staleAfterDays = n;
    root.replaceChildren();
    void render(ctx, root).catch(ctx.fail);
  });
  const byState = DEVICE_STATES.map((s) => [s, r.totals.byState[s] ?? 0]);
  const chart = el('figure', { class: 'chart' }, barChart(`Devices per state: ${byState.map(([s, n]) => `${s} ${n}`).join(', ')}`, byState, (s) => `bar-${s}`),
    el('figcaption', { text: `${r.totals.devices} devices in all, as of ${formatTime(r.generatedAt)}.` }));
  const managed = Object.entries(r.managed).map(([status, n]) => [managedWords(status), String(n)]);
  root.append(
    card('Devices per state', form, chart, listTable('Devices per state', ['State', 'Devices'], byState.map(([s, n]) => [stateBadge(s), String(n)]))),
    card('Per state and platform', listTable('Devices per state and platform', ['State', 'Platform', 'Devices'], r.byStateAndPlatform.map((x) => [stateBadge(x.state), platformName(x.platform), String(x.count)]), 'No devices.')),
    card('Managed compliance', listTable('Devices per managed status', ['Managed status', 'Devices'], managed)),
    card(`Stale devices (not seen for ${r.staleAfterDays} days)`, el('p', { text: `${r.stale.count} trusted or restricted device${r.stale.count === 1 ? '' : 's'} not seen recently.` }),
      listTable('Stale devices', ['Device', 'State', 'Platform', 'Last seen'], r.stale.devices.map((d) => [deviceLink(d), stateBadge(d.state), platformName(d.platform), d.lastSeenAt ? formatTime(d.lastSeenAt) : 'never']), 'None.')),
    card('Restricted by a signal', el('p', { text: `${r.restrictedBySignal.count} device(s): ${r.restrictedBySignal.osIntegrityFailed} by a failed OS integrity check, ${r.restrictedBySignal.managedComplianceUnmet} by unmet managed compliance.` }),
      listTable('Devices a signal restricts', ['Device', 'State', 'Platform', 'Managed status'], r.restrictedBySignal.devices.map((d) => [deviceLink(d), stateBadge(d.state), platformName(d.platform), managedWords(d.managedStatus)]), 'None.')),
  );
}
