// The catalog with its availability: sold out now (one tap, and back), sold out until a time,
// a daily window, seasonal or discontinued, each with the reason customers are shown.
//
// "Sold out until HH:MM" is two writes: the coffee is set out_of_stock now (reason "Sold out
// until HH:MM"), and a scheduled change (POST /api/business-rules/scheduled-changes) puts its
// previous availability record back at the next HH:MM, today or tomorrow. The table shows that
// pending restore ("back at HH:MM") with a button that cancels it; releasing the pressed "Sold
// out" button brings the coffee back now and cancels it too.

import {ApiError, call, get, getAll} from './api.js';
import {announce, field, h, money, replace, screenTitle, section, setFieldError} from './dom.js';

const STATUS_TEXT = {
  available: 'Available',
  out_of_stock: 'Sold out',
  seasonal: 'Seasonal',
  discontinued: 'Discontinued',
};
export const SOLD_OUT_UNTIL = 'Sold out until ';
const SCHEDULED = '/api/business-rules/scheduled-changes';

/**
 * The next instant at `hhmm` ("HH:MM" or "HH:MM:SS") on this device's clock: today, or
 * tomorrow when that time has passed. The tablet is expected to run in the shop's time zone.
 */
export function nextOccurrence(hhmm, now = new Date()) {
  const [hours, minutes, seconds = 0] = hhmm.split(':').map(Number);
  const at = new Date(now);
  at.setHours(hours, minutes, seconds, 0);
  if (at <= now) at.setDate(at.getDate() + 1);
  return at;
}

/** The availability body that puts `a` (a row as the API shows it) back as it was. */
export function restoreBody(coffeeId, a) {
  const body = {coffee_id: coffeeId, status: a?.status ?? 'available'};
  if (a?.reason) body.reason = a.reason;
  if (a?.available_from) body.available_from = a.available_from;
  if (a?.available_until) body.available_until = a.available_until;
  return body;
}

/** "14:30" for an instant, on this device's clock. */
function clockTime(iso) {
  const at = new Date(iso);
  const pad = (n) => String(n).padStart(2, '0');
  const seconds = at.getSeconds() ? `:${pad(at.getSeconds())}` : '';
  return `${pad(at.getHours())}:${pad(at.getMinutes())}${seconds}`;
}

function describeWindow(a) {
  if (!a.available_from) return 'All day';
  return `${a.available_from}–${a.available_until}`;
}

export function renderCatalog(main) {
  const tbody = h('tbody');
  const table = h('div', {class: 'table-wrap'},
    h('table', {},
      h('caption', {class: 'visually-hidden'}, 'Coffees and their availability'),
      h('thead', {}, h('tr', {},
        h('th', {scope: 'col'}, 'Coffee'),
        h('th', {scope: 'col', class: 'num'}, 'Price'),
        h('th', {scope: 'col'}, 'Status'),
        h('th', {scope: 'col'}, 'Daily window'),
        h('th', {scope: 'col'}, 'Reason'),
        h('th', {scope: 'col'}, 'Orderable now'),
        h('th', {scope: 'col'}, 'Actions'))),
      tbody));
  replace(main, screenTitle('Catalog'),
    h('p', {class: 'hint'},
      'Times are the shop\u2019s times of day. "Sold out until" takes the coffee off sale now ',
      'and puts it back as it was at that time (today, or tomorrow if it has passed).'),
    section('Availability', table));

  let coffees = [];
  let availability = new Map();
  /** Pending scheduled availability changes by coffee id, earliest first. */
  let pending = new Map();

  function keepPending(changes) {
    pending = new Map();
    for (const c of changes) {
      if (c.change?.kind !== 'availability') continue;
      const id = c.change.body?.coffee_id;
      if (!pending.has(id)) pending.set(id, []);
      pending.get(id).push(c);
    }
  }

  async function load() {
    const [list, avail, scheduled] = await Promise.all([
      getAll('/api/coffees?sort=name'),
      get('/api/business-rules/availability'),
      getAll(`${SCHEDULED}?status=pending`),
    ]);
    coffees = list;
    availability = new Map(avail.map((a) => [a.coffee_id, a]));
    keepPending(scheduled);
    render();
  }

  async function refresh() {
    const [avail, scheduled] = await Promise.all([
      get('/api/business-rules/availability'),
      getAll(`${SCHEDULED}?status=pending`),
    ]);
    availability = new Map(avail.map((a) => [a.coffee_id, a]));
    keepPending(scheduled);
    render();
  }

  /** Cancels the coffee's pending availability changes (one already made or cancelled is fine). */
  async function cancelPending(coffeeId) {
    for (const c of pending.get(coffeeId) ?? []) {
      try {
        await call('DELETE', `${SCHEDULED}/${c.id}`);
      } catch (e) {
        if (!(e instanceof ApiError) || e.status !== 409) throw e;
      }
    }
    pending.delete(coffeeId);
  }

  async function backInStock(coffee) {
    await cancelPending(coffee.id);
    await save({coffee_id: coffee.id, status: 'available'}, `${coffee.name} is back in stock`);
  }

  /** Sold out now; the record it had comes back at the next `hhmm` (see the file comment). */
  async function soldOutUntil(coffee, hhmm) {
    const earlier = pending.get(coffee.id)?.[0];
    // Pressed again: the record to restore is still the one from before the first press.
    const previous = earlier ? earlier.change.body : restoreBody(coffee.id, availability.get(coffee.id));
    const restore = await call('POST', SCHEDULED, {body: {
      effective_at: nextOccurrence(hhmm).toISOString(),
      change: {kind: 'availability', body: previous},
      note: `Console: ${coffee.name} sold out until ${hhmm}`,
    }});
    try {
      await save({coffee_id: coffee.id, status: 'out_of_stock', reason: `${SOLD_OUT_UNTIL}${hhmm}`},
        `${coffee.name} is sold out until ${hhmm}`);
    } catch (e) {
      await call('DELETE', `${SCHEDULED}/${restore.body.id}`).catch(() => {});
      throw e;
    }
    await cancelPending(coffee.id);
    pending.set(coffee.id, [restore.body]);
    render();
  }

  async function save(body, what) {
    const res = await call('POST', '/api/business-rules/availability', {body});
    availability.set(res.body.coffee_id, res.body);
    announce(what);
    render();
    return res.body;
  }

  function render(editing = null) {
    replace(tbody, coffees.map((c) => row(c, editing === c.id)));
  }

  function scheduledNote(coffee) {
    const next = pending.get(coffee.id)?.[0];
    if (!next) return null;
    const status = next.change.body?.status ?? 'available';
    const text = status === 'available'
      ? `back at ${clockTime(next.effective_at)}`
      : `${STATUS_TEXT[status] ?? status} at ${clockTime(next.effective_at)}`;
    return h('div', {class: 'hint scheduled', 'data-scheduled-id': next.id},
      text, ' ',
      h('button', {
        type: 'button',
        class: 'small secondary cancel-scheduled',
        'aria-label': `Cancel: ${coffee.name} ${text}`,
        onclick: () => cancelPending(coffee.id)
          .then(() => { announce(`${coffee.name}: cancelled "${text}"`); render(); })
          .catch((e) => announce(e.message, 'error')),
      }, 'Cancel'));
  }

  function row(coffee, editing) {
    const a = availability.get(coffee.id) ?? {status: 'available', available_now: true};
    const soldOut = a.status === 'out_of_stock';
    const untilInput = h('input', {type: 'time', 'aria-label': `Sold out until (${coffee.name})`, value: '15:00'});
    const actions = h('div', {class: 'row-actions'},
      h('button', {
        type: 'button',
        class: 'small sold-out-toggle',
        'aria-pressed': String(soldOut),
        'aria-label': `Sold out: ${coffee.name}`,
        title: soldOut ? 'Press again when it is back in stock' : 'Mark as sold out now',
        onclick: () => (soldOut
          ? backInStock(coffee)
          : save({coffee_id: coffee.id, status: 'out_of_stock', reason: 'Sold out'}, `${coffee.name} is sold out`))
          .catch((e) => announce(e.message, 'error')),
      }, 'Sold out'),
      untilInput,
      h('button', {
        type: 'button',
        class: 'small secondary',
        'aria-label': `Sold out until the time given: ${coffee.name}`,
        onclick: () => {
          if (!untilInput.value) return announce('Choose a time first', 'error');
          soldOutUntil(coffee, untilInput.value).catch((e) => announce(e.message, 'error'));
        },
      }, 'Until'),
      h('button', {
        type: 'button',
        class: 'small secondary',
        'aria-expanded': String(editing),
        'aria-label': `Edit availability of ${coffee.name}`,
        onclick: () => render(editing ? null : coffee.id),
      }, 'Edit'));
    const cells = h('tr', {'data-coffee-id': coffee.id, class: editing ? 'editing' : null},
      h('th', {scope: 'row'}, coffee.name, h('br'), h('span', {class: 'hint'}, coffee.coffee_type)),
      h('td', {class: 'num'}, money(coffee.price)),
      h('td', {}, h('span', {class: `badge ${a.status}`}, STATUS_TEXT[a.status] ?? a.status),
        scheduledNote(coffee)),
      h('td', {}, describeWindow(a)),
      h('td', {}, a.reason ?? ''),
      h('td', {class: 'orderable'}, a.available_now ? 'Yes' : 'No'),
      h('td', {}, actions));
    if (!editing) return cells;
    return [cells, h('tr', {class: 'editing'}, h('td', {colspan: 7}, editor(coffee, a)))];
  }

  function editor(coffee, a) {
    const status = field('Status', h('select', {},
      Object.entries(STATUS_TEXT).map(([value, text]) => h('option', {value, selected: a.status === value}, text))));
    const reason = field('Reason shown to customers', h('input', {type: 'text', maxlength: 255, value: a.reason ?? ''}),
      'Optional. Without one, customers see the standard reason.');
    const from = field('Available from', h('input', {type: 'time', value: a.available_from ?? ''}));
    const until = field('Available until', h('input', {type: 'time', value: a.available_until ?? ''}),
      'Leave both empty for all day; a window may cross midnight.');
    const fields = {status, reason, available_from: from, available_until: until};
    const formError = h('p', {class: 'notice error', role: 'alert', hidden: true});
    const form = h('form', {'aria-label': `Availability of ${coffee.name}`, novalidate: true},
      h('div', {class: 'inline'}, status.row, reason.row, from.row, until.row),
      formError,
      h('div', {class: 'row-actions'},
        h('button', {type: 'submit'}, 'Save'),
        h('button', {type: 'button', class: 'secondary', onclick: () => render()}, 'Close')));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      for (const f of Object.values(fields)) setFieldError(f, '');
      formError.hidden = true;
      const body = {coffee_id: coffee.id, status: status.input.value};
      if (reason.input.value.trim()) body.reason = reason.input.value.trim();
      if (from.input.value) body.available_from = from.input.value;
      if (until.input.value) body.available_until = until.input.value;
      try {
        await save(body, `Saved the availability of ${coffee.name}`);
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        let shown = false;
        for (const [name, message] of Object.entries(e.fields)) {
          if (fields[name]) {
            setFieldError(fields[name], message);
            shown = true;
          }
        }
        formError.textContent = e.message;
        formError.hidden = shown && e.code === 'VALIDATION_ERROR';
        form.querySelector('[aria-invalid="true"]')?.focus();
      }
    });
    queueMicrotask(() => status.input.focus());
    return form;
  }

  // A scheduled restore is made by the server at its time: look again then, so the table follows.
  const timer = setInterval(() => {
    if (!tbody.isConnected) return clearInterval(timer);
    const due = [...pending.values()].flat().some((c) => new Date(c.effective_at) <= new Date());
    if (due) refresh().catch(() => {});
  }, 2000);

  load().catch((e) => replace(tbody, h('tr', {}, h('td', {colspan: 7, class: 'notice error'}, e.message))));
}
