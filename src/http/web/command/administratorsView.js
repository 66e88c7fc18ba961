/**
 * Administrators, for the owner: invite one (name and role; the invitation link is shown this
 * once, to send to them, and leaves the page at "Done"), list them with where each stands, and
 * remove one — which ends their sessions at once.
 */
import { card, el, field, listTable, select } from './dom.js';
import { ROLES, formatTime, roleWords } from './consoleWords.js';

const STATUS = { invited: 'invited, not yet signed in', active: 'active', invitation_expired: 'invitation expired', removed: 'removed' };

function inviteForm(ctx, shown, reload) {
  const name = el('input', { type: 'text', name: 'name', maxlength: 100, autocomplete: 'off' });
  const role = select('role', Object.entries(ROLES), 'viewer');
  const nameField = field('Name', name, 'As your organisation knows them.');
  const submit = el('button', { type: 'submit', text: 'Invite' });
  const form = el('form', { method: 'post', novalidate: true, 'aria-label': 'Invite an administrator' }, nameField, field('Role', role), el('div', { class: 'actions' }, submit));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = name.value.trim();
    if (text === '' || text.length > 100) {
      nameField.querySelector('.field-error').textContent = 'Give their name (up to 100 characters).';
      name.setAttribute('aria-invalid', 'true');
      name.focus();
      return;
    }
    nameField.querySelector('.field-error').textContent = '';
    name.removeAttribute('aria-invalid');
    void ctx.run(submit, 'Inviting…', async () => {
      const r = await ctx.api('POST', '/v1/admin/administrators', { name: text, role: role.value });
      name.value = '';
      const link = el('input', { type: 'text', readonly: true, value: r.invitation.link, spellcheck: 'false' });
      const copy = el('button', { type: 'button', class: 'secondary', text: 'Copy the link' });
      copy.addEventListener('click', () => { link.select(); void navigator.clipboard?.writeText(link.value).then(() => ctx.say('Copied.'), () => ctx.say('Select the link and copy it.')); });
      shown.replaceChildren(el('section', { class: 'card once', 'aria-label': 'New invitation' },
        el('p', { text: `Send this link to ${r.administrator.name} through a channel you trust. It works once, until ${formatTime(r.invitation.expiresAt)}, and will not be shown again.` }),
        field('Invitation link', link),
        el('div', { class: 'actions' }, copy, el('button', { type: 'button', text: 'Done', onclick: () => { shown.replaceChildren(); ctx.say('The link is no longer shown.'); } }))));
      link.focus();
      await reload();
      ctx.say(`Invited ${r.administrator.name} as ${r.administrator.role}.`);
    });
  });
  return form;
}

/**
 * The organisation's admin keys (for scripts): listed, and revoked by the owner. Issuing one is
 * left to the API and the CLI, so a key's token never passes through this page.
 */
function keysCard(ctx) {
  const list = el('div');
  const area = el('div');
  const reload = async () => {
    const { items } = await ctx.api('GET', '/v1/admin/keys');
    list.replaceChildren(listTable('Admin keys of the organisation', ['Name', 'Role', 'Issued', 'Status'], items.map((k) => {
      const revoke = k.revokedAt ? `revoked ${formatTime(k.revokedAt)}` : el('button', {
        type: 'button', class: 'danger', text: 'Revoke', 'aria-label': `Revoke the key ${k.name}`,
        onclick: () => {
          const yes = el('button', { type: 'button', class: 'danger', text: `Revoke ${k.name}` });
          yes.addEventListener('click', () => ctx.run(yes, 'Revoking…', async () => {
            await ctx.api('DELETE', `/v1/admin/keys/${encodeURIComponent(k.id)}`);
            area.replaceChildren();
            await reload();
            ctx.say(`The key ${k.name} is revoked: it authenticates nothing from now on.`);
          }));
          area.replaceChildren(el('section', { class: 'card once', 'aria-label': `Revoke the key ${k.name}` },
            el('p', { text: `Revoke the admin key ${k.name} (${k.role})? Scripts using it stop working at once.` }),
            el('div', { class: 'actions' }, yes, el('button', { type: 'button', class: 'secondary', text: 'Cancel', onclick: () => area.replaceChildren() }))));
          yes.focus();
        },
      });
      return [k.name, k.role, formatTime(k.createdAt), revoke];
    }), 'No admin keys.'));
  };
  return { card: card('Admin keys (for scripts)', el('p', { text: 'Keys are issued with the API or the command line; their tokens never pass through this page.' }), area, list), reload };
}

/** Renders the administrators into `root`. */
export async function render(ctx, root) {
  ctx.title('Administrators');
  const shown = el('div');
  const list = el('div');
  const area = el('div');
  const reload = async () => {
    const { items } = await ctx.api('GET', '/v1/admin/administrators');
    list.replaceChildren(listTable('Administrators of the organisation', ['Name', 'Role', 'Status', 'Invited', 'Actions'], items.map((a) => {
      const self = a.id === ctx.me.administrator.id;
      const remove = a.status === 'removed' || self ? el('span', { class: 'muted', text: self ? 'you' : '—' }) : el('button', {
        type: 'button', class: 'danger', text: 'Remove', 'aria-label': `Remove ${a.name}`,
        onclick: () => {
          const yes = el('button', { type: 'button', class: 'danger', text: `Remove ${a.name}` });
          yes.addEventListener('click', () => ctx.run(yes, 'Removing…', async () => {
            await ctx.api('DELETE', `/v1/admin/administrators/${encodeURIComponent(a.id)}`);
            area.replaceChildren();
            await reload();
            ctx.say(`${a.name} is removed; their sessions ended.`);
          }));
          area.replaceChildren(el('section', { class: 'card once', 'aria-label': `Remove ${a.name}` },
            el('p', { text: `Remove ${a.name} (${roleWords(a.role)})? Their sessions end at once and their passkey signs nobody in.` }),
            el('div', { class: 'actions' }, yes, el('button', { type: 'button', class: 'secondary', text: 'Cancel', onclick: () => area.replaceChildren() }))));
          yes.focus();
        },
      });
      return [a.name, a.role, STATUS[a.status] ?? a.status, formatTime(a.createdAt), remove];
    }), 'No administrators yet.'));
  };
  const keys = keysCard(ctx);
  root.append(card('Invite an administrator', inviteForm(ctx, shown, reload), shown), card('Administrators', area, list), keys.card);
  await reload();
  await keys.reload();
}
