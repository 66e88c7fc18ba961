/**
 * Audit: search the organisation's audit records (device, account, actor, event type, dates),
 * each record in words with its details, and verify the hash chain — its result and its head,
 * to keep elsewhere so records cut from the end would show.
 */
import { card, el, field } from './dom.js';
import { actorWords, eventWords, formatTime } from './consoleWords.js';

const FILTERS = [
  ['deviceId', 'Device ID', 'dev_…'],
  ['accountId', 'Account ID', 'acc_…'],
  ['actorId', 'Who acted (ID)', 'adm_…, key_…, dev_…'],
  ['type', 'Event type', 'for example device.revoked'],
];
const current = { deviceId: '', accountId: '', actorId: '', type: '', since: '', until: '', cursors: [] };
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function detailsList(details) {
  const entries = Object.entries(details ?? {});
  if (entries.length === 0) return null;
  return el('ul', { class: 'details' }, ...entries.map(([k, v]) => el('li', { text: `${k.replace(/_/g, ' ')}: ${typeof v === 'string' ? v : JSON.stringify(v)}` })));
}

function record(r) {
  const about = [r.deviceId ? `device ${r.deviceId}` : null, r.accountId ? `account ${r.accountId}` : null].filter(Boolean).join(', ');
  return el('li', {},
    el('time', { datetime: r.occurredAt, text: formatTime(r.occurredAt) }),
    el('strong', { text: `${eventWords(r.type)}${r.outcome === 'refused' ? ' — refused' : ''}` }),
    el('span', { text: ` by ${actorWords(r.actor)}${about ? `, about ${about}` : ''}.` }),
    el('span', { class: 'muted', text: ` (${r.type})` }),
    detailsList(r.details));
}

function verifier(ctx) {
  const result = el('div', { 'aria-live': 'polite' });
  const button = el('button', { type: 'button', text: 'Verify the chain' });
  button.addEventListener('click', () => ctx.run(button, 'Verifying the audit chain…', async () => {
    const v = await ctx.api('GET', '/v1/admin/audit/verify');
    result.replaceChildren(v.ok
      ? el('div', {}, el('p', { class: 'ok', text: `The chain is intact (checked ${formatTime(v.checkedAt)}).` }),
        el('p', {}, 'Its head — keep it somewhere else, so records cut from the end would show: ', el('code', { text: v.head ?? '' })))
      : el('p', { class: 'bad', text: `The chain is broken at record ${v.brokenAt.seq} (${v.brokenAt.reason.replace(/_/g, ' ')})${v.brokenAt.ownOrganisation ? ', one of your organisation\'s records' : ', a record of another organisation'}. Tell your security team.` }));
    ctx.say('Verification finished.');
  }));
  return card('Chain verification', el('p', { text: 'Walks every record and checks that each one carries the hash of the one before.' }), button, result);
}

/** Renders the audit search into `root`. */
export async function render(ctx, root) {
  ctx.title('Audit');
  const inputs = {};
  const fields = FILTERS.map(([name, label, hint]) => {
    inputs[name] = el('input', { type: 'text', name, value: current[name], maxlength: 100, autocapitalize: 'none', spellcheck: 'false' });
    return field(label, inputs[name], hint);
  });
  inputs.since = el('input', { type: 'date', name: 'since', value: current.since });
  inputs.until = el('input', { type: 'date', name: 'until', value: current.until });
  const sinceField = field('From (day, UTC)', inputs.since);
  const untilField = field('Until (day, UTC, not included)', inputs.until);
  const results = el('div');
  const reload = () => ctx.run(null, null, async () => {
    const q = new URLSearchParams({ limit: '50' });
    for (const [name] of FILTERS) if (current[name]) q.set(name, current[name]);
    if (current.since) q.set('since', `${current.since}T00:00:00Z`);
    if (current.until) q.set('until', `${current.until}T00:00:00Z`);
    if (current.cursors.at(-1)) q.set('cursor', current.cursors.at(-1));
    const page = await ctx.api('GET', `/v1/admin/audit?${q}`);
    const pager = el('div', { class: 'pager' });
    if (current.cursors.length) pager.append(el('button', { type: 'button', class: 'secondary', text: 'First page', onclick: () => { current.cursors = []; void reload(); } }));
    if (page.nextCursor) pager.append(el('button', { type: 'button', class: 'secondary', text: 'Next page', onclick: () => { current.cursors.push(page.nextCursor); void reload(); } }));
    results.replaceChildren(
      el('p', { class: 'count', text: `${page.items.length} record${page.items.length === 1 ? '' : 's'}, oldest first.` }),
      page.items.length ? el('ol', { class: 'history' }, ...page.items.map(record)) : el('p', { text: 'No record matches.' }),
      pager);
  });
  const form = el('form', { class: 'filters', method: 'post', novalidate: true, 'aria-label': 'Search the audit log' }, ...fields, sinceField, untilField,
    el('div', { class: 'actions' }, el('button', { type: 'submit', text: 'Search' })));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    for (const [name] of FILTERS) current[name] = inputs[name].value.trim();
    current.since = inputs.since.value;
    current.until = inputs.until.value;
    const badRange = current.since && current.until && current.since >= current.until;
    untilField.querySelector('.field-error').textContent = badRange ? 'Pick a day after the “From” day.' : '';
    if (badRange || (current.since && !DATE.test(current.since)) || (current.until && !DATE.test(current.until))) {
      inputs.until.setAttribute('aria-invalid', 'true');
      inputs.until.focus();
      return;
    }
    inputs.until.removeAttribute('aria-invalid');
    current.cursors = [];
    void reload();
  });
  root.append(card('Search the audit log', form, results), verifier(ctx));
  await reload();
}
