/**
 * Organisation settings: every policy setting with what it means. The owner edits them; each
 * value is checked here first and the message stands beside its field, and a setting the
 * service refuses is marked the same way. Other roles read them.
 */
import { card, el, field, select } from './dom.js';

const APPROVAL = [
  ['device_or_admin', 'A trusted device of the account or an approver'],
  ['device', 'A trusted device of the account only'],
  ['admin', 'An approver only'],
  ['device_and_admin', 'Both a trusted device and an approver'],
];

/** Each setting: its label, what it means, and what it takes (as schemas/organisation-settings.schema.json says). */
const SETTINGS = [
  ['managed', 'Managed organisation', 'boolean', 'Devices are managed (an MDM connector sends statements). A recovery code also needs an administrator\'s approval of the new device.'],
  ['require_managed_compliance', 'Require managed compliance', 'boolean', 'Keys and history only for devices a verified, fresh managed-device statement calls compliant.'],
  ['require_device_bound_credential', 'Require device-bound passkeys', 'boolean', 'A new device with a synced passkey is enrolled restricted, not trusted.'],
  ['max_session_age_seconds', 'Fresh session, at most (seconds)', [60, 43200], 'Oldest session that counts as fresh for high-risk actions.'],
  ['max_unlock_age_seconds', 'Recent unlock, at most (seconds)', [10, 86400], 'Oldest verified local unlock that counts as recent for high-risk actions.'],
  ['enrollment_approval', 'Who approves an additional device', APPROVAL, 'A first device\'s bootstrap code and a recovery code are not affected.'],
  ['replacement_approval', 'Who approves a replacement', APPROVAL, 'As above, for a device that replaces another.'],
  ['recovery_requires_second_admin', 'Recovery needs a second administrator', 'boolean', 'A recovery an administrator starts must be approved by another administrator (approver or owner).'],
  ['managed_max_age_seconds', 'Managed statement fresh for (seconds)', [300, 7776000], 'How old a managed-device statement may be and still count.'],
  ['os_integrity_max_age_seconds', 'OS integrity fresh for (seconds)', [60, 604800], 'How old an Enigm OS integrity attestation may be and still count.'],
];

function control(name, kind, value) {
  if (kind === 'boolean') return select(name, [['true', 'Yes'], ['false', 'No']], String(value));
  if (Array.isArray(kind) && Array.isArray(kind[0])) return select(name, kind, String(value));
  return el('input', { type: 'text', name, inputmode: 'numeric', value: String(value), maxlength: 10 });
}

/** The value a control holds, or a sentence saying what it should hold. */
function read(kind, input) {
  if (kind === 'boolean') return { value: input.value === 'true' };
  if (Array.isArray(kind) && Array.isArray(kind[0])) return { value: input.value };
  const [min, max] = kind;
  const text = input.value.trim();
  if (!/^\d{1,10}$/.test(text) || Number(text) < min || Number(text) > max) return { error: `Enter a whole number of seconds from ${min} to ${max}.` };
  return { value: Number(text) };
}

function readOnly(org) {
  return el('dl', { class: 'facts' }, ...SETTINGS.flatMap(([name, label, kind]) => {
    const v = org.settings[name];
    const shown = kind === 'boolean' ? (v ? 'Yes' : 'No') : Array.isArray(kind) && Array.isArray(kind[0]) ? (kind.find(([k]) => k === v)?.[1] ?? String(v)) : String(v);
    return [el('dt', { text: label }), el('dd', { text: shown })];
  }));
}

/** Renders the settings into `root`. */
export async function render(ctx, root) {
  ctx.title('Organisation settings');
  const org = await ctx.api('GET', '/v1/admin/organisation');
  const intro = el('p', { text: `${org.name} (${org.id}). Settings take effect on the next decision.` });
  if (!ctx.may('organisation.write')) {
    root.append(card('Policy settings', intro, el('p', { text: 'Only an owner changes these.' }), readOnly(org)));
    return;
  }
  const inputs = {};
  const fields = {};
  for (const [name, label, kind, hint] of SETTINGS) {
    inputs[name] = control(name, kind, org.settings[name]);
    inputs[name].id = name;
    fields[name] = field(label, inputs[name], hint);
  }
  const save = el('button', { type: 'submit', text: 'Save the settings' });
  const form = el('form', { method: 'post', novalidate: true, 'aria-label': 'Policy settings' }, ...Object.values(fields), el('div', { class: 'actions' }, save));
  const mark = (name, message) => {
    fields[name].querySelector('.field-error').textContent = message;
    if (message) inputs[name].setAttribute('aria-invalid', 'true');
    else inputs[name].removeAttribute('aria-invalid');
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const patch = {};
    let firstBad = null;
    for (const [name, , kind] of SETTINGS) {
      const { value, error } = read(kind, inputs[name]);
      mark(name, error ?? '');
      if (error) firstBad ??= name;
      else if (value !== org.settings[name]) patch[name] = value;
    }
    if (firstBad) {
      ctx.fail({ code: 'invalid_settings' });
      inputs[firstBad].focus();
      return;
    }
    if (Object.keys(patch).length === 0) {
      ctx.say('Nothing changed.');
      return;
    }
    void ctx.run(save, 'Saving…', async () => {
      try {
        const updated = await ctx.api('PATCH', '/v1/admin/organisation', patch);
        Object.assign(org.settings, updated.settings);
        ctx.say(`Saved: ${Object.keys(patch).map((n) => SETTINGS.find(([k]) => k === n)[1]).join(', ')}. The next decision follows them.`);
      } catch (err) {
        for (const name of err?.problem?.fields ?? []) if (fields[name]) mark(name, 'The service refused this value: check what the setting takes.');
        throw err;
      }
    });
  });
  root.append(card('Policy settings', intro, form));
}
