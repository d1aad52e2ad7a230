// The catalog with its availability: sold out now (one tap, and back), sold out until a time,
// a daily window, seasonal or discontinued, each with the reason customers are shown.
//
// "Sold out until HH:MM" has no field of its own in the availability API, which only knows a
// status and a daily window [from, until). It is written as status `available` with the window
// [HH:MM, now) and the reason "Sold out until HH:MM": refused from now, orderable again from
// HH:MM. The window repeats daily until it is cleared, which the table says next to such a
// coffee; releasing its pressed "Sold out" button clears it.

import {ApiError, call, get, getAll} from './api.js';
import {announce, field, h, money, nowHhMm, replace, screenTitle, section, setFieldError} from './dom.js';

const STATUS_TEXT = {
  available: 'Available',
  out_of_stock: 'Sold out',
  seasonal: 'Seasonal',
  discontinued: 'Discontinued',
};
export const SOLD_OUT_UNTIL = 'Sold out until ';

/** The availability body that marks a coffee sold out until `hhmm` (see the file comment). */
export function soldOutUntilBody(coffeeId, hhmm, now = new Date()) {
  return {
    coffee_id: coffeeId,
    status: 'available',
    reason: `${SOLD_OUT_UNTIL}${hhmm}`,
    available_from: hhmm,
    available_until: nowHhMm(now),
  };
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
      'Times are the shop\u2019s times of day. "Sold out until" reopens the coffee at that time ',
      'and repeats daily until you release the pressed "Sold out" button.'),
    section('Availability', table));

  let coffees = [];
  let availability = new Map();

  async function load() {
    const [list, avail] = await Promise.all([
      getAll('/api/coffees?sort=name'),
      get('/api/business-rules/availability'),
    ]);
    coffees = list;
    availability = new Map(avail.map((a) => [a.coffee_id, a]));
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

  function row(coffee, editing) {
    const a = availability.get(coffee.id) ?? {status: 'available', available_now: true};
    const soldOut = a.status === 'out_of_stock';
    const until = a.reason?.startsWith(SOLD_OUT_UNTIL) && a.available_from;
    const untilInput = h('input', {type: 'time', 'aria-label': `Sold out until (${coffee.name})`, value: '15:00'});
    const actions = h('div', {class: 'row-actions'},
      h('button', {
        type: 'button',
        class: 'small sold-out-toggle',
        'aria-pressed': String(Boolean(soldOut || until)),
        'aria-label': `Sold out: ${coffee.name}`,
        title: soldOut || until ? 'Press again when it is back in stock' : 'Mark as sold out now',
        onclick: () => (soldOut || until
          ? save({coffee_id: coffee.id, status: 'available'}, `${coffee.name} is back in stock`)
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
          save(soldOutUntilBody(coffee.id, untilInput.value), `${coffee.name} is sold out until ${untilInput.value}`)
            .catch((e) => announce(e.message, 'error'));
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
        until ? h('div', {class: 'hint'}, `until ${a.available_from}, daily`) : null),
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

  load().catch((e) => replace(tbody, h('tr', {}, h('td', {colspan: 7, class: 'notice error'}, e.message))));
}
