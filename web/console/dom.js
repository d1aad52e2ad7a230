// Small DOM and formatting helpers shared by the screens. Elements are built with
// createElement and textContent only, so nothing from the API is ever parsed as HTML.

/** h('button', {class: 'x', onclick: fn}, 'text', child…) → an element. */
export function h(tag, attrs = {}, ...children) {
  const el = tag.startsWith('svg:')
    ? document.createElementNS('http://www.w3.org/2000/svg', tag.slice(4))
    : document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2), value);
    } else if (name === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (name === 'value' && 'value' in el) {
      el.value = value;
    } else if (name === 'checked' || name === 'disabled' || name === 'selected') {
      el[name] = Boolean(value);
    } else {
      el.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

/** Replaces the children of `el`. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let uid = 0;
/** A unique element id with a readable prefix. */
export function newId(prefix) {
  uid += 1;
  return `${prefix}-${uid}`;
}

/** A labelled form field; `input` is the control. Returns {row, input, error}. */
export function field(label, input, hint) {
  if (!input.id) input.id = newId('f');
  const error = h('p', {class: 'field-error', id: `${input.id}-error`, hidden: true});
  const hintEl = hint ? h('p', {class: 'hint', id: `${input.id}-hint`}, hint) : null;
  const describedBy = [hintEl?.id, error.id].filter(Boolean).join(' ');
  input.setAttribute('aria-describedby', describedBy);
  const row = h('div', {class: 'field'}, h('label', {for: input.id}, label), input, hintEl, error);
  return {row, input, error};
}

/** Shows (or clears, with an empty message) the error of a field made by field(). */
export function setFieldError(f, message) {
  if (message) {
    f.error.textContent = message;
    f.error.hidden = false;
    f.input.setAttribute('aria-invalid', 'true');
  } else {
    f.error.textContent = '';
    f.error.hidden = true;
    f.input.removeAttribute('aria-invalid');
  }
}

const statusEl = () => document.getElementById('status');
let statusTimer = null;
/** Announces a short message in the polite live region (and shows it as a toast). */
export function announce(message, kind = 'info') {
  const el = statusEl();
  if (!el) return;
  el.textContent = message;
  el.dataset.kind = kind;
  el.classList.add('visible');
  clearTimeout(statusTimer);
  statusTimer = setTimeout(() => el.classList.remove('visible'), 5000);
}

/** "4.50" or 4.5 → "$4.50". */
export function money(value) {
  const n = typeof value === 'number' ? value : Number.parseFloat(value);
  return Number.isFinite(n) ? `$${n.toFixed(2)}` : String(value ?? '');
}

/** An RFC 3339 instant → "14:05" in the browser's time zone. */
export function clock(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime())
    ? ''
    : d.toLocaleTimeString([], {hour: '2-digit', minute: '2-digit', hour12: false});
}

/** An RFC 3339 instant → "2026-02-28 14:05". */
export function dateTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return `${d.toLocaleDateString('en-CA')} ${clock(iso)}`;
}

/** Whole minutes between an instant and now (negative in the future). */
export function minutesSince(iso, now = Date.now()) {
  return Math.floor((now - new Date(iso).getTime()) / 60000);
}

/** An RFC 3339 instant → the value of an <input type="datetime-local"> (local time). */
export function toLocalInput(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The value of an <input type="datetime-local"> → an RFC 3339 UTC instant, or null. */
export function fromLocalInput(value) {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** A titled section with an h2 whose id labels it. */
export function section(title, ...children) {
  const id = newId('s');
  return h('section', {class: 'panel', 'aria-labelledby': id}, h('h2', {id}, title), ...children);
}

/** The screen heading, focused on navigation so screen readers announce the new screen. */
export function screenTitle(text) {
  return h('h1', {tabindex: '-1', class: 'screen-title'}, text);
}
