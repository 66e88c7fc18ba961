/**
 * Replacements: each old device and the new one taking its place, with where the swap stands.
 */
import { card, el, field, listTable, select, stateBadge } from './dom.js';
import { formatTime, platformName } from './consoleWords.js';

const STATUS = { in_progress: 'in progress', completed: 'completed', abandoned: 'abandoned' };
const current = { status: '', cursors: [] };

function device(d) {
  return el('span', {}, el('a', { href: `#/device/${d.deviceId}`, class: 'row-link', text: d.label || d.deviceId }), ` (${platformName(d.platform)}) `, stateBadge(d.state));
}

/** Renders the replacements into `root`. */
export async function render(ctx, root) {
  ctx.title('Replacements');
  const status = select('status', [['', 'Any status'], ...Object.entries(STATUS)], current.status);
  const results = el('div');
  const reload = () => ctx.run(null, null, async () => {
    const q = new URLSearchParams({ limit: '25' });
    if (current.status) q.set('status', current.status);
    if (current.cursors.at(-1)) q.set('cursor', current.cursors.at(-1));
    const page = await ctx.api('GET', `/v1/admin/replacements?${q}`);
    const rows = page.items.map((r) => [device(r.old), device(r.new), STATUS[r.status] ?? r.status, formatTime(r.startedAt), r.completedAt ? formatTime(r.completedAt) : '—']);
    const pager = el('div', { class: 'pager' });
    if (current.cursors.length) pager.append(el('button', { type: 'button', class: 'secondary', text: 'First page', onclick: () => { current.cursors = []; void reload(); } }));
    if (page.nextCursor) pager.append(el('button', { type: 'button', class: 'secondary', text: 'Next page', onclick: () => { current.cursors.push(page.nextCursor); void reload(); } }));
    results.replaceChildren(listTable('Replacements', ['Old device', 'New device', 'Status', 'Started', 'Completed'], rows, 'No replacements.'), pager);
  });
  const form = el('form', { class: 'filters', method: 'post', novalidate: true, 'aria-label': 'Filter replacements' }, field('Status', status), el('div', { class: 'actions' }, el('button', { type: 'submit', text: 'Apply' })));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    current.status = status.value;
    current.cursors = [];
    void reload();
  });
  root.append(card('Old devices and their replacements', form, results));
  await reload();
}
