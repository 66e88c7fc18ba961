/**
 * The account's activity as a list, newest first, built with DOM calls only; and the
 * "since you last looked" news: the devices that joined or left after this device's person
 * last read the list.
 */
import { describeActivity, formatTime } from './words.js';

function item(activity, currentDeviceId) {
  const li = document.createElement('li');
  const time = document.createElement('time');
  time.dateTime = activity.at;
  time.textContent = formatTime(activity.at);
  li.append(time, ' ');
  if (activity.unseen) {
    const badge = document.createElement('strong');
    badge.className = 'badge';
    badge.textContent = 'New';
    li.append(badge, ' ');
  }
  li.append(describeActivity(activity, currentDeviceId));
  return li;
}

/** Fills `list` (an <ol>) with the activity items; an empty account says so. */
export function renderActivity(list, items, currentDeviceId) {
  const rows = items.map((a) => item(a, currentDeviceId));
  if (rows.length === 0) {
    const empty = document.createElement('li');
    empty.textContent = 'Nothing has happened yet.';
    rows.push(empty);
  }
  list.replaceChildren(...rows);
}

/** The news as sentences (devices that joined or left since the last look), oldest first. */
export function newsOf(items, currentDeviceId) {
  return items.filter((a) => a.unseen).reverse().map((a) => describeActivity(a, currentDeviceId));
}
