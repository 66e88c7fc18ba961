/**
 * The account's devices as table rows, built with DOM calls only (no HTML strings: the
 * page enforces Trusted Types). Each action button names its device for screen readers;
 * on a narrow screen the stylesheet lays each row out as a block, labelled by `data-label`.
 */
import { describeState, formatTime, platformName } from './words.js';

const ACTIVE = new Set(['trusted', 'restricted']);

function cell(tag, ...children) {
  const el = document.createElement(tag);
  for (const child of children) if (child !== null) el.append(child);
  return el;
}

function button(text, accessibleName, onClick, className) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = text;
  b.setAttribute('aria-label', accessibleName);
  if (className) b.className = className;
  b.addEventListener('click', onClick);
  return b;
}

function nameCell(device, isCurrent) {
  const th = cell('th', device.label || device.deviceId);
  th.scope = 'row';
  if (isCurrent) th.append(' ', cell('span', '(this device)'));
  const id = cell('code', device.deviceId);
  id.className = 'device-id';
  th.append(cell('br'), id);
  return th;
}

function stateCell(device) {
  const word = cell('strong', device.state);
  word.className = `state state-${device.state}`;
  // A pending device whose enrollment never got its passkey cannot be approved at all.
  const unfinished = device.state === 'pending' && device.enrollment?.state === 'started';
  const meaning = unfinished ? 'enrollment not finished: no passkey registered' : describeState(device.state);
  return cell('td', word, meaning ? cell('span', ` — ${meaning}`) : null);
}

// What this device may do to a row's device: itself always; others only while it is trusted,
// as the API allows (a restricted device acts on nothing but itself).
function actionsCell(device, isCurrent, actorTrusted, actions) {
  const group = cell('div');
  group.className = 'row-actions';
  const name = device.label || device.deviceId;
  if (!isCurrent && !actorTrusted) return cell('td', group);
  if (device.state === 'pending' && !isCurrent) {
    // Only an enrollment whose new device has registered its passkey can be approved.
    if (device.enrollment?.state === 'registered') group.append(button('Approve', `Approve ${name}`, () => actions.onApprove(device)));
    group.append(button('Reject', `Reject ${name}`, () => actions.onRevoke(device), 'danger'));
  }
  if (ACTIVE.has(device.state)) {
    group.append(button('Replace', `Replace ${name}`, () => actions.onReplace(device), 'secondary'));
    group.append(button('Revoke', `Revoke ${name}`, () => actions.onRevoke(device), 'danger'));
  }
  return cell('td', group);
}

/**
 * Fills `tbody` with one row per device, as `GET /v1/accounts/{id}/devices` lists them;
 * `actions` has onApprove, onReplace and onRevoke(device).
 */
export function renderDevices(tbody, devices, currentDeviceId, actions) {
  const actorTrusted = devices.some((d) => d.deviceId === currentDeviceId && d.state === 'trusted');
  const rows = devices.map((device) => {
    const isCurrent = device.deviceId === currentDeviceId;
    const cells = [
      nameCell(device, isCurrent),
      cell('td', platformName(device.platform)),
      stateCell(device),
      cell('td', formatTime(device.createdAt)),
      actionsCell(device, isCurrent, actorTrusted, actions)];
    // On a narrow screen each row becomes a block and every cell names its column.
    ['Device', 'Platform', 'State', 'Enrolled', 'Actions'].forEach((label, i) => { cells[i].dataset.label = label; });
    const tr = cell('tr', ...cells);
    tr.dataset.deviceId = device.deviceId;
    if (isCurrent) tr.className = 'current';
    return tr;
  });
  if (rows.length === 0) {
    const empty = cell('td', 'No devices yet.');
    empty.colSpan = 5;
    rows.push(cell('tr', empty));
  }
  tbody.replaceChildren(...rows);
}
