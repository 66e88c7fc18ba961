/**
 * Inventory: the organisation's devices with state, platform, account, last seen and managed
 * status; filters, search by account handle, and pages. Each row opens its device.
 */
import { card, el, field, listTable, select, stateBadge } from './dom.js';
import { DEVICE_STATES, formatTime, managedWords, platformName } from './consoleWords.js';
import { PLATFORMS } from '/assets/words.js';

const MANAGED = ['compliant', 'noncompliant', 'stale', 'unverified', 'missing'];
/** The filters and page, kept while the administrator looks at a device and comes back. */
const current = { accountHandle: '', state: '', platform: '', managed: '', cursors: [] };

function query() {
  const q = new URLSearchParams({ limit: '25' });
  for (const name of ['accountHandle', 'state', 'platform', 'managed']) if (current[name]) q.set(name, current[name]);
  const cursor = current.cursors.at(-1);
  if (cursor) q.set('cursor', cursor);
  return q.toString();
}

function filtersForm(reload, restart) {
  const handle = el('input', { type: 'text', name: 'accountHandle', value: current.accountHandle, maxlength: 64, autocapitalize: 'none', spellcheck: 'false' });
  const state = select('state', [['', 'Any state'], ...DEVICE_STATES.map((s) => [s, s])], current.state);
  const platform = select('platform', [['', 'Any platform'], ...PLATFORMS], current.platform);
  const managed = select('managed', [['', 'Any managed status'], ...MANAGED.map((m) => [m, m])], current.managed);
  const form = el('form', { class: 'filters', method: 'post', novalidate: true, 'aria-label': 'Filter devices' },
    field('Account handle starts with', handle), field('State', state), field('Platform', platform), field('Managed status', managed),
    el('div', { class: 'actions' }, el('button', { type: 'submit', text: 'Apply filters' }),
      el('button', { type: 'button', class: 'secondary', text: 'Clear', onclick: () => { Object.assign(current, { accountHandle: '', state: '', platform: '', managed: '', cursors: [] }); restart(); } })));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    Object.assign(current, { accountHandle: handle.value.trim(), state: state.value, platform: platform.value, managed: managed.value, cursors: [] });
    void reload();
  });
  return form;
}

function row(d) {
  const name = el('a', { href: `#/device/${d.deviceId}`, class: 'row-link', text: d.label || d.deviceId });
  return [
    el('span', {}, name, el('br'), el('code', { class: 'device-id', text: d.deviceId })),
    d.accountHandle,
    platformName(d.platform),
    stateBadge(d.state),
    d.lastSeenAt ? formatTime(d.lastSeenAt) : 'never',
    managedWords(d.managed.status),
  ];
}

/** Renders the inventory into `root`. */
export async function render(ctx, root) {
  ctx.title('Inventory');
  const results = el('div');
  const reload = () => ctx.run(null, null, async () => {
    const page = await ctx.api('GET', `/v1/admin/devices?${query()}`);
    const pager = el('div', { class: 'pager' });
    if (current.cursors.length > 0) pager.append(el('button', { type: 'button', class: 'secondary', text: 'First page', onclick: () => { current.cursors = []; void reload(); } }));
    if (page.nextCursor) pager.append(el('button', { type: 'button', class: 'secondary', text: 'Next page', onclick: () => { current.cursors.push(page.nextCursor); void reload(); } }));
    results.replaceChildren(
      el('p', { class: 'count', text: `${page.items.length} device${page.items.length === 1 ? '' : 's'} on this page${current.cursors.length ? ` (page ${current.cursors.length + 1})` : ''}.` }),
      listTable('Devices of the organisation', ['Device', 'Account', 'Platform', 'State', 'Last seen', 'Managed status'], page.items.map(row), 'No device matches these filters.'),
      pager);
  });
  root.append(card('Devices', filtersForm(reload, () => { root.replaceChildren(); void render(ctx, root); }), results));
  await reload();
}
