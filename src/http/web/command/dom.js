/**
 * Building the console's DOM with DOM calls only — no HTML strings, since the page enforces
 * Trusted Types — and the few shapes every view repeats: labelled fields, tables that turn
 * into lists on a narrow screen, and buttons that name what they act on.
 */

/**
 * An element: `attrs` sets attributes (`class`, `for`, `aria-*`, `data-*`, …; `text` sets the
 * text; functions under `on*` become listeners), then `children` (strings, nodes; null skipped).
 */
export function el(tag, attrs = {}, ...children) {
  const node = tag === 'svg' || attrs.svg ? document.createElementNS('http://www.w3.org/2000/svg', tag) : document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false || name === 'svg') continue;
    if (name === 'text') node.textContent = String(value);
    else if (name.startsWith('on') && typeof value === 'function') node.addEventListener(name.slice(2), value);
    else if (name === 'value') node.value = value;
    else if (name === 'checked') node.checked = Boolean(value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) if (child !== null && child !== undefined && child !== false) node.append(child);
  return node;
}

/** An SVG element (for the report's chart). */
export function svg(tag, attrs = {}, ...children) {
  return el(tag, { ...attrs, svg: true }, ...children);
}

let fieldCount = 0;

/** A label and its control (and an optional hint and error line, both linked for assistive technology). */
export function field(label, control, hint) {
  fieldCount += 1;
  const id = control.id || `f${fieldCount}`;
  control.id = id;
  const parts = [el('label', { for: id, text: label }), control];
  const described = [];
  if (hint) {
    parts.push(el('p', { class: 'hint', id: `${id}-hint`, text: hint }));
    described.push(`${id}-hint`);
  }
  const error = el('p', { class: 'field-error', id: `${id}-error` });
  parts.push(error);
  described.push(`${id}-error`);
  control.setAttribute('aria-describedby', described.join(' '));
  return el('div', { class: 'field' }, ...parts);
}

/** A select of `[value, label]` options with `selected` chosen. */
export function select(name, options, selected = '') {
  return el('select', { name }, ...options.map(([value, label]) => el('option', { value, text: label, selected: value === selected ? true : undefined })));
}

/**
 * A table that becomes a list of blocks at phone width: `columns` are header texts, each row
 * an array of cells (strings or nodes); the first cell is the row's header. `empty` is said
 * when there are no rows.
 */
export function listTable(caption, columns, rows, empty = 'Nothing to show.') {
  const head = el('thead', {}, el('tr', {}, ...columns.map((c) => el('th', { scope: 'col', text: c }))));
  const body = el('tbody');
  for (const row of rows) {
    const tr = el('tr');
    row.forEach((content, i) => {
      const cell = el(i === 0 ? 'th' : 'td', { 'data-label': columns[i] }, content);
      if (i === 0) cell.setAttribute('scope', 'row');
      tr.append(cell);
    });
    body.append(tr);
  }
  if (rows.length === 0) body.append(el('tr', {}, el('td', { colspan: columns.length, text: empty })));
  return el('div', { class: 'table-wrap' }, el('table', { class: 'list-table' }, el('caption', { class: 'visually-hidden', text: caption }), head, body));
}

/** A card section titled `title` (its heading labels it, so it is a named region). */
export function card(title, ...children) {
  fieldCount += 1;
  const id = `card-${fieldCount}`;
  return el('section', { class: 'card', 'aria-labelledby': id }, el('h2', { id, text: title }), ...children);
}

/** A state word with its meaning, styled by the device page's state classes. */
export function stateBadge(state) {
  return el('strong', { class: `state state-${state}`, text: state });
}

/**
 * An inline confirmation asking for a reason: `onConfirm(reason)` runs when a reason is given;
 * an empty one is caught beside the field. Returns the form (focus goes to its reason field).
 */
export function reasonForm({ question, confirmLabel, danger = false, onConfirm, onCancel, hint = 'Recorded in the audit log with your name and role.' }) {
  const reason = el('textarea', { name: 'reason', class: 'reason', maxlength: 500, required: true });
  const confirm = el('button', { type: 'submit', class: danger ? 'danger' : undefined, text: confirmLabel });
  const cancel = el('button', { type: 'button', class: 'secondary', text: 'Cancel', onclick: () => onCancel() });
  const reasonField = field('Reason', reason, hint);
  const form = el('form', { class: 'card once', method: 'post', novalidate: true, 'aria-label': question },
    el('p', {}, el('strong', { text: question })), reasonField, el('div', { class: 'actions' }, confirm, cancel));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = reason.value.trim();
    const error = reasonField.querySelector('.field-error');
    if (text === '') {
      error.textContent = 'Give a reason: it is recorded in the audit log.';
      reason.setAttribute('aria-invalid', 'true');
      reason.focus();
      return;
    }
    error.textContent = '';
    reason.removeAttribute('aria-invalid');
    void onConfirm(text, confirm);
  });
  queueMicrotask(() => reason.focus());
  return form;
}
