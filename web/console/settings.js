// Settings: prep time (defaults, baristas, per coffee) and loyalty (points per dollar, bonus
// multipliers per coffee). Each form shows the API's field errors next to the field.

import {ApiError, call, get, getAll} from './api.js';
import {announce, field, h, replace, screenTitle, section, setFieldError} from './dom.js';

/** Shows an ApiError on `fields` (name → field()); returns the message of the rest. */
function showFieldErrors(error, fields) {
  if (!(error instanceof ApiError)) throw error;
  const rest = [];
  for (const f of Object.values(fields)) setFieldError(f, '');
  for (const [name, message] of Object.entries(error.fields)) {
    if (fields[name]) setFieldError(fields[name], message);
    else rest.push(`${name}: ${message}`);
  }
  if (Object.keys(error.fields).length === 0) rest.push(error.message);
  return rest.join('; ');
}

export function renderSettings(main) {
  const prepSlot = h('div');
  const coffeeSlot = h('div');
  const loyaltySlot = h('div');
  replace(main, screenTitle('Settings'), prepSlot, coffeeSlot, loyaltySlot);

  async function load() {
    const [prep, coffees, loyalty] = await Promise.all([
      get('/api/business-rules/prep-time'),
      getAll('/api/coffees'),
      get('/api/business-rules/loyalty-config'),
    ]);
    const perCoffee = await Promise.all(coffees.map((c) => get(`/api/business-rules/prep-time/${c.id}`)));
    renderPrep(prep);
    renderPerCoffee(coffees, perCoffee);
    renderLoyalty(loyalty, coffees);
  }

  function renderPrep(prep) {
    const fields = {
      default_base_minutes: field('Minutes for the first item (default)', h('input', {type: 'number', min: 1, max: 240, value: prep.default_base_minutes})),
      default_per_additional_item: field('Minutes per additional item (default)', h('input', {type: 'number', min: 0, max: 240, value: prep.default_per_additional_item})),
      baristas: field('Baristas working', h('input', {type: 'number', min: 1, max: 100, value: prep.baristas}), 'Open orders are shared between them.'),
    };
    const error = h('p', {class: 'notice error', role: 'alert', hidden: true});
    const form = h('form', {novalidate: true, 'aria-label': 'Prep time settings'},
      h('div', {class: 'inline'}, Object.values(fields).map((f) => f.row), h('button', {type: 'submit'}, 'Save prep time')), error);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      error.hidden = true;
      const body = {};
      for (const [name, f] of Object.entries(fields)) if (f.input.value !== '') body[name] = Number(f.input.value);
      try {
        await call('PUT', '/api/business-rules/prep-time', {body});
        for (const f of Object.values(fields)) setFieldError(f, '');
        announce('Prep time saved');
      } catch (e) {
        const rest = showFieldErrors(e, fields);
        error.textContent = rest;
        error.hidden = !rest;
      }
    });
    replace(prepSlot, section('Prep time', form));
  }

  function renderPerCoffee(coffees, perCoffee) {
    const rows = coffees.map((coffee, i) => {
      const p = perCoffee[i];
      const base = field(`First item (${coffee.name})`, h('input', {type: 'number', min: 1, max: 240, value: p.base_minutes}));
      const extra = field(`Each additional (${coffee.name})`, h('input', {type: 'number', min: 0, max: 240, value: p.per_additional_item}));
      const state = h('span', {class: 'hint'}, p.is_default ? 'default' : 'own');
      const save = h('button', {type: 'button', class: 'small', 'aria-label': `Save prep time of ${coffee.name}`, onclick: async () => {
        try {
          await call('PUT', `/api/business-rules/prep-time/${coffee.id}`, {body: {
            base_minutes: Number(base.input.value), per_additional_item: Number(extra.input.value),
          }});
          setFieldError(base, '');
          setFieldError(extra, '');
          state.textContent = 'own';
          announce(`Prep time of ${coffee.name} saved`);
        } catch (e) {
          const rest = showFieldErrors(e, {base_minutes: base, per_additional_item: extra});
          if (rest) announce(rest, 'error');
        }
      }}, 'Save');
      return h('tr', {}, h('th', {scope: 'row'}, coffee.name), h('td', {}, base.row), h('td', {}, extra.row), h('td', {}, state), h('td', {}, save));
    });
    replace(coffeeSlot, section('Prep time per coffee (minutes)', h('div', {class: 'table-wrap'}, h('table', {},
      h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'Coffee'), h('th', {scope: 'col'}, 'First item'),
        h('th', {scope: 'col'}, 'Each additional'), h('th', {scope: 'col'}, 'Source'), h('th', {scope: 'col'}, ''))),
      h('tbody', {}, rows)))));
  }

  function renderLoyalty(config, coffees) {
    const ppd = field('Points per dollar', h('input', {type: 'text', inputmode: 'decimal', value: String(config.points_per_dollar)}),
      'Points = floor(total × this + bonuses); at most 4 decimals.');
    const list = h('ol', {class: 'quote-lines', 'aria-label': 'Bonus multipliers'});
    const rows = [];
    const addRow = (coffeeId, multiplier) => {
      const coffee = field('Coffee', h('select', {}, coffees.map((c) => h('option', {value: c.id, selected: c.id === coffeeId}, c.name))));
      const m = field('Multiplier', h('input', {type: 'text', inputmode: 'decimal', value: String(multiplier)}));
      const row = {coffee, m};
      const li = h('li', {}, coffee.row, m.row, h('button', {type: 'button', class: 'small secondary', onclick: () => {
        rows.splice(rows.indexOf(row), 1);
        li.remove();
      }}, 'Remove'));
      rows.push(row);
      list.append(li);
    };
    for (const [id, mult] of Object.entries(config.bonus_multipliers ?? {})) addRow(Number(id), mult);
    const error = h('p', {class: 'notice error', role: 'alert', hidden: true});
    const form = h('form', {novalidate: true, 'aria-label': 'Loyalty settings'},
      ppd.row,
      h('fieldset', {}, h('legend', {}, 'Bonus multipliers (extra points on a coffee\u2019s subtotal)'), list,
        h('button', {type: 'button', class: 'small secondary', onclick: () => addRow(coffees[0]?.id, 2)}, 'Add a multiplier')),
      error,
      h('button', {type: 'submit'}, 'Save loyalty'));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      error.hidden = true;
      const bonus = {};
      for (const r of rows) bonus[r.coffee.input.value] = r.m.input.value.trim();
      const fields = {points_per_dollar: ppd};
      for (const r of rows) fields[`bonus_multipliers.${r.coffee.input.value}`] = r.m;
      try {
        await call('PUT', '/api/business-rules/loyalty-config', {body: {points_per_dollar: ppd.input.value.trim(), bonus_multipliers: bonus}});
        for (const f of Object.values(fields)) setFieldError(f, '');
        announce('Loyalty saved');
      } catch (e) {
        const rest = showFieldErrors(e, fields);
        error.textContent = rest;
        error.hidden = !rest;
      }
    });
    replace(loyaltySlot, section('Loyalty', form));
  }

  load().catch((e) => replace(prepSlot, h('p', {class: 'notice error'}, e.message)));
}
