// Pricing: the rules (list, editor with the API's field-level errors, enable/disable), the
// combination strategy and cap, and a live quote preview that shows each active rule applied
// or not, and why, for a basket built here (POST /api/orders/quote, as the signed-in admin).

import {ApiError, call, get, getAll} from './api.js';
import {
  announce, field, fromLocalInput, h, money, newId, replace, screenTitle, section, setFieldError,
  toLocalInput,
} from './dom.js';

const RULE_TYPES = {time_based: 'Time of day', quantity_based: 'Quantity', promotional: 'Promotion'};
const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const STRATEGIES = {
  best_price: 'Best price for the customer',
  additive: 'Additive (each rule on the original price, summed)',
  multiplicative: 'Multiplicative (each rule on what is left, by priority)',
};

function discountText(rule) {
  return rule.discount_type === 'percentage' ? `${rule.discount_value} %` : money(rule.discount_value);
}

function conditionText(rule, coffeeNames) {
  const parts = [];
  if (rule.rule_type === 'time_based') {
    parts.push(rule.time_ranges.map((r) => `${r.start}–${r.end}`).join(', '));
    if (rule.days_of_week.length) parts.push(rule.days_of_week.map((d) => DAYS[d - 1]).join(' '));
  }
  if (rule.rule_type === 'quantity_based') parts.push(`${rule.min_quantity}+ items`);
  parts.push(rule.coffee_ids ? rule.coffee_ids.map((id) => coffeeNames.get(id) ?? `#${id}`).join(', ') : 'all coffees');
  if (rule.promo_code) parts.push(`code ${rule.promo_code}`);
  if (rule.max_uses) parts.push(`at most ${rule.max_uses} uses`);
  if (rule.max_uses_per_customer) parts.push(`${rule.max_uses_per_customer} per customer`);
  return parts.join(' · ');
}

/** The body of PUT /api/business-rules/pricing/:id that keeps `rule` as it is but `changes`. */
export function ruleBody(rule, changes = {}) {
  const keys = ['rule_type', 'description', 'discount_type', 'discount_value', 'priority', 'is_active',
    'valid_from', 'valid_until', 'coffee_ids', 'time_ranges', 'days_of_week', 'min_quantity',
    'promo_code', 'max_uses', 'max_uses_per_customer'];
  const body = {};
  for (const k of keys) if (rule[k] !== undefined && rule[k] !== null) body[k] = rule[k];
  if (rule.valid_until === null) body.valid_until = null;
  return {...body, ...changes};
}

export function renderPricing(main) {
  const listBody = h('tbody');
  const editorSlot = h('div');
  const settingsSlot = h('div');
  const preview = h('div');
  replace(main, screenTitle('Pricing'),
    h('div', {class: 'columns-2'},
      h('div', {},
        section('Rules',
          h('div', {class: 'table-wrap'}, h('table', {},
            h('caption', {class: 'visually-hidden'}, 'Pricing rules'),
            h('thead', {}, h('tr', {},
              h('th', {scope: 'col'}, 'Rule'), h('th', {scope: 'col'}, 'Type'),
              h('th', {scope: 'col', class: 'num'}, 'Discount'), h('th', {scope: 'col', class: 'num'}, 'Priority'),
              h('th', {scope: 'col'}, 'When'), h('th', {scope: 'col'}, 'State'), h('th', {scope: 'col'}, 'Actions'))),
            listBody)),
          h('p', {}, h('button', {type: 'button', id: 'new-rule', onclick: () => openEditor(null)}, 'New rule'))),
        editorSlot,
        settingsSlot),
      section('Quote preview', preview)));

  let rules = [];
  let coffees = [];
  let coffeeNames = new Map();
  let settings = null;
  const basket = [];
  let quoteTimer = null;
  let quoteSeq = 0;

  async function load() {
    [rules, coffees, settings] = await Promise.all([
      get('/api/business-rules/pricing?include_inactive=true'),
      getAll('/api/coffees'),
      get('/api/business-rules/pricing-settings'),
    ]);
    coffeeNames = new Map(coffees.map((c) => [c.id, c.name]));
    renderList();
    renderSettings();
    if (basket.length === 0 && coffees.length) basket.push({coffee_id: coffees[0].id, quantity: 1});
    renderBasket();
  }

  function renderList() {
    replace(listBody, rules.map((rule) => h('tr', {'data-rule-id': rule.id},
      h('th', {scope: 'row'}, rule.description || `Rule ${rule.id}`),
      h('td', {}, RULE_TYPES[rule.rule_type] ?? rule.rule_type),
      h('td', {class: 'num'}, discountText(rule)),
      h('td', {class: 'num'}, String(rule.priority)),
      h('td', {}, conditionText(rule, coffeeNames)),
      h('td', {}, h('span', {class: `badge ${rule.is_active ? 'active' : 'inactive'}`}, rule.is_active ? 'Enabled' : 'Disabled')),
      h('td', {}, h('div', {class: 'row-actions'},
        h('button', {type: 'button', class: 'small secondary', 'aria-label': `Edit rule ${rule.description || rule.id}`,
          onclick: () => openEditor(rule)}, 'Edit'),
        h('button', {type: 'button', class: rule.is_active ? 'small danger' : 'small secondary',
          'aria-label': `${rule.is_active ? 'Disable' : 'Enable'} rule ${rule.description || rule.id}`,
          onclick: () => toggle(rule)}, rule.is_active ? 'Disable' : 'Enable'))))));
  }

  async function toggle(rule) {
    try {
      if (rule.is_active) await call('DELETE', `/api/business-rules/pricing/${rule.id}`);
      else await call('PUT', `/api/business-rules/pricing/${rule.id}`, {body: ruleBody(rule, {is_active: true})});
      announce(`Rule ${rule.is_active ? 'disabled' : 'enabled'}`);
      await reloadRules();
    } catch (e) {
      announce(e.message, 'error');
    }
  }

  async function reloadRules() {
    rules = await get('/api/business-rules/pricing?include_inactive=true');
    renderList();
    scheduleQuote(0);
  }

  function openEditor(rule) {
    const draft = rule ?? {
      rule_type: 'promotional', description: '', discount_type: 'percentage', discount_value: 10,
      priority: 0, is_active: true, valid_from: null, valid_until: null, coffee_ids: null,
      time_ranges: [], days_of_week: [], min_quantity: null, promo_code: null, max_uses: null,
      max_uses_per_customer: null,
    };
    const f = {
      description: field('Description', h('input', {type: 'text', maxlength: 500, value: draft.description})),
      rule_type: field('Type', h('select', {}, Object.entries(RULE_TYPES).map(([v, t]) =>
        h('option', {value: v, selected: draft.rule_type === v}, t)))),
      discount_type: field('Discount type', h('select', {},
        h('option', {value: 'percentage', selected: draft.discount_type === 'percentage'}, 'Percentage'),
        h('option', {value: 'fixed_amount', selected: draft.discount_type === 'fixed_amount'}, 'Fixed amount ($)'))),
      discount_value: field('Discount value', h('input', {type: 'text', inputmode: 'decimal', value: String(draft.discount_value ?? '')}),
        'Percentage 0–100, or an amount in dollars, at most 2 decimals.'),
      priority: field('Priority', h('input', {type: 'number', step: 1, value: String(draft.priority ?? 0)}),
        'Higher first (used by multiplicative combination).'),
      min_quantity: field('Minimum quantity', h('input', {type: 'number', min: 1, step: 1, value: draft.min_quantity ?? ''}),
        'Quantity rules: items of the rule\u2019s coffees needed.'),
      valid_from: field('Valid from', h('input', {type: 'datetime-local', value: toLocalInput(draft.valid_from)}),
        'Empty: from now.'),
      valid_until: field('Valid until', h('input', {type: 'datetime-local', value: toLocalInput(draft.valid_until)}),
        'Empty: no end.'),
      promo_code: field('Promo code', h('input', {type: 'text', maxlength: 40, autocomplete: 'off',
        value: draft.promo_code ?? ''}), 'Only orders that carry this code get the rule. Empty: no code.'),
      max_uses: field('Uses in all', h('input', {type: 'number', min: 1, step: 1, value: draft.max_uses ?? ''}),
        'Discounted orders allowed. Empty: no limit.'),
      max_uses_per_customer: field('Uses per customer', h('input', {type: 'number', min: 1, step: 1,
        value: draft.max_uses_per_customer ?? ''}), 'Empty: no limit.'),
    };
    const active = h('input', {type: 'checkbox', id: newId('active'), checked: draft.is_active});
    // Coffees: every coffee, or only those ticked.
    const allCoffees = h('input', {type: 'checkbox', id: newId('all'), checked: draft.coffee_ids === null});
    const coffeeBoxes = coffees.map((c) => h('input', {type: 'checkbox', value: c.id, id: newId('c'),
      checked: draft.coffee_ids?.includes(c.id)}));
    const coffeeList = h('div', {class: 'checks', hidden: draft.coffee_ids === null},
      coffees.map((c, i) => h('label', {for: coffeeBoxes[i].id}, coffeeBoxes[i], c.name)));
    allCoffees.addEventListener('change', () => { coffeeList.hidden = allCoffees.checked; });
    const coffeeError = h('p', {class: 'field-error', id: newId('err'), hidden: true});
    const coffeeSet = h('fieldset', {'aria-describedby': coffeeError.id}, h('legend', {}, 'Coffees'),
      h('label', {for: allCoffees.id, class: 'checks'}, allCoffees, 'Every coffee'), coffeeList, coffeeError);
    // Time ranges and days, for time rules.
    const ranges = h('ol', {class: 'quote-lines'});
    const rangeError = h('p', {class: 'field-error', id: newId('err'), hidden: true});
    const addRange = (r = {start: '14:00', end: '16:00'}) => {
      const start = field('Start', h('input', {type: 'time', value: r.start}));
      const end = field('End', h('input', {type: 'time', value: r.end}));
      const li = h('li', {}, start.row, end.row,
        h('button', {type: 'button', class: 'small secondary', onclick: () => li.remove()}, 'Remove'));
      li.fields = {start, end};
      ranges.append(li);
    };
    for (const r of draft.time_ranges ?? []) addRange(r);
    const dayBoxes = DAYS.map((d, i) => h('input', {type: 'checkbox', value: i + 1, id: newId('d'),
      checked: draft.days_of_week?.includes(i + 1)}));
    const dayError = h('p', {class: 'field-error', id: newId('err'), hidden: true});
    const timeSet = h('fieldset', {'aria-describedby': `${rangeError.id} ${dayError.id}`},
      h('legend', {}, 'Time windows (time rules)'), ranges, rangeError,
      h('button', {type: 'button', class: 'small secondary', onclick: () => addRange()}, 'Add a time window'),
      h('p', {class: 'hint'}, 'Days (none ticked: every day; a window belongs to the day it starts):'),
      h('div', {class: 'checks'}, DAYS.map((d, i) => h('label', {for: dayBoxes[i].id}, dayBoxes[i], d))), dayError);
    const showFor = () => {
      const type = f.rule_type.input.value;
      timeSet.hidden = type !== 'time_based';
      f.min_quantity.row.hidden = type !== 'quantity_based';
    };
    f.rule_type.input.addEventListener('change', showFor);
    showFor();

    const summary = h('div', {class: 'error-summary', role: 'alert', tabindex: '-1', hidden: true});
    const title = rule ? `Edit rule ${rule.id}` : 'New rule';
    const form = h('form', {class: 'rule-editor', novalidate: true, 'aria-label': title},
      summary,
      h('div', {class: 'inline'}, f.description.row, f.rule_type.row),
      h('div', {class: 'inline'}, f.discount_type.row, f.discount_value.row, f.priority.row, f.min_quantity.row),
      h('div', {class: 'inline'}, f.valid_from.row, f.valid_until.row),
      h('div', {class: 'inline'}, f.promo_code.row, f.max_uses.row, f.max_uses_per_customer.row),
      h('p', {class: 'checks'}, h('label', {for: active.id}, active, 'Enabled')),
      coffeeSet, timeSet,
      h('div', {class: 'row-actions'},
        h('button', {type: 'submit'}, rule ? 'Save rule' : 'Create rule'),
        h('button', {type: 'button', class: 'secondary', onclick: () => replace(editorSlot)}, 'Close')));

    const errorTargets = () => {
      const map = {...f, is_active: null};
      const rows = [...ranges.children];
      rows.forEach((li, i) => {
        map[`time_ranges[${i}].start`] = li.fields.start;
        map[`time_ranges[${i}].end`] = li.fields.end;
        map[`time_ranges[${i}]`] = li.fields.start;
      });
      return map;
    };
    const clearErrors = () => {
      for (const target of Object.values(errorTargets())) if (target) setFieldError(target, '');
      for (const el of [coffeeError, rangeError, dayError]) { el.hidden = true; el.textContent = ''; }
      summary.hidden = true;
    };

    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      clearErrors();
      const body = {
        rule_type: f.rule_type.input.value,
        description: f.description.input.value.trim(),
        discount_type: f.discount_type.input.value,
        discount_value: f.discount_value.input.value.trim(),
        priority: f.priority.input.value === '' ? 0 : Number(f.priority.input.value),
        is_active: active.checked,
        coffee_ids: allCoffees.checked ? null : coffeeBoxes.filter((b) => b.checked).map((b) => Number(b.value)),
      };
      const validFrom = fromLocalInput(f.valid_from.input.value);
      if (validFrom) body.valid_from = validFrom;
      body.valid_until = fromLocalInput(f.valid_until.input.value);
      if (body.rule_type === 'time_based') {
        body.time_ranges = [...ranges.children].map((li) => ({start: li.fields.start.input.value, end: li.fields.end.input.value}));
        body.days_of_week = dayBoxes.filter((b) => b.checked).map((b) => Number(b.value));
      }
      if (body.rule_type === 'quantity_based' && f.min_quantity.input.value !== '') {
        body.min_quantity = Number(f.min_quantity.input.value);
      }
      // A PUT replaces the whole rule: an empty field clears the code or the limit.
      body.promo_code = f.promo_code.input.value.trim() || null;
      for (const key of ['max_uses', 'max_uses_per_customer']) {
        body[key] = f[key].input.value === '' ? null : Number(f[key].input.value);
      }
      try {
        if (rule) await call('PUT', `/api/business-rules/pricing/${rule.id}`, {body});
        else await call('POST', '/api/business-rules/pricing', {body});
        announce(rule ? 'Rule saved' : 'Rule created');
        replace(editorSlot);
        await reloadRules();
        document.getElementById('new-rule')?.focus();
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        showErrors(e);
      }
    });

    function showErrors(e) {
      const targets = errorTargets();
      const items = [];
      for (const [name, message] of Object.entries(e.fields)) {
        const target = targets[name];
        if (target) setFieldError(target, message);
        else if (name.startsWith('coffee_ids')) Object.assign(coffeeError, {textContent: message, hidden: false});
        else if (name.startsWith('time_ranges')) Object.assign(rangeError, {textContent: message, hidden: false});
        else if (name.startsWith('days_of_week')) Object.assign(dayError, {textContent: message, hidden: false});
        const focusable = target?.input;
        items.push(h('li', {}, focusable
          ? h('a', {href: `#${focusable.id}`, onclick: (ev) => { ev.preventDefault(); focusable.focus(); }}, `${name}: ${message}`)
          : `${name}: ${message}`));
      }
      replace(summary, h('h3', {}, Object.keys(e.fields).length ? 'Please correct these fields' : 'The rule was not saved'),
        items.length ? h('ul', {}, items) : h('p', {}, e.message));
      summary.hidden = false;
      summary.focus();
    }

    replace(editorSlot, section(title, form));
    f.description.input.focus();
  }

  function renderSettings() {
    const strategy = field('Combination of several rules', h('select', {}, Object.entries(STRATEGIES).map(([v, t]) =>
      h('option', {value: v, selected: settings.combination_strategy === v}, t))));
    const cap = field('Maximum discount (% of the order)', h('input', {
      type: 'text', inputmode: 'decimal', value: String(settings.max_discount_percent),
    }), '0–100; the total discount never exceeds it.');
    const form = h('form', {novalidate: true, 'aria-label': 'Pricing settings'},
      h('div', {class: 'inline'}, strategy.row, cap.row, h('button', {type: 'submit'}, 'Save settings')));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      setFieldError(strategy, '');
      setFieldError(cap, '');
      try {
        const res = await call('PUT', '/api/business-rules/pricing-settings', {body: {
          combination_strategy: strategy.input.value, max_discount_percent: cap.input.value.trim(),
        }});
        settings = res.body;
        announce('Pricing settings saved');
        scheduleQuote(0);
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        setFieldError(strategy, e.fields.combination_strategy);
        setFieldError(cap, e.fields.max_discount_percent ?? (e.fields.combination_strategy ? '' : e.message));
      }
    });
    replace(settingsSlot, section('Combination and cap', form));
  }

  // The quote preview.
  const lines = h('ol', {class: 'quote-lines', 'aria-label': 'Basket'});
  const result = h('div', {class: 'quote-result', 'aria-live': 'polite'});
  replace(preview,
    h('p', {class: 'hint'}, 'Build a basket: the quote shows what a customer would pay now, and why each rule applies or not.'),
    lines,
    h('p', {}, h('button', {type: 'button', class: 'secondary', onclick: () => {
      basket.push({coffee_id: coffees[0]?.id, quantity: 1});
      renderBasket();
      lines.lastElementChild?.querySelector('select')?.focus();
    }}, 'Add a coffee')),
    result);

  function renderBasket() {
    replace(lines, basket.map((line, i) => {
      const coffee = field(`Coffee ${i + 1}`, h('select', {class: 'quote-coffee'}, coffees.map((c) =>
        h('option', {value: c.id, selected: c.id === line.coffee_id}, `${c.name} (${money(c.price)})`))));
      const qty = field('Quantity', h('input', {type: 'number', class: 'quote-qty', min: 1, max: 99, value: line.quantity}));
      coffee.input.addEventListener('change', () => { line.coffee_id = Number(coffee.input.value); scheduleQuote(); });
      qty.input.addEventListener('input', () => { line.quantity = Number(qty.input.value); scheduleQuote(); });
      return h('li', {}, coffee.row, qty.row, h('button', {
        type: 'button', class: 'small secondary', 'aria-label': `Remove coffee ${i + 1}`,
        onclick: () => { basket.splice(i, 1); renderBasket(); },
      }, 'Remove'));
    }));
    scheduleQuote(0);
  }

  function scheduleQuote(delay = 250) {
    clearTimeout(quoteTimer);
    quoteTimer = setTimeout(quote, delay);
  }

  async function quote() {
    const seq = ++quoteSeq;
    if (basket.length === 0) {
      replace(result, h('p', {class: 'hint'}, 'The basket is empty.'));
      return;
    }
    const items = basket.map((l) => ({coffee_item_id: l.coffee_id, quantity: l.quantity}));
    try {
      const q = (await call('POST', '/api/orders/quote', {body: {items}})).body;
      if (seq !== quoteSeq) return;
      renderQuote(q);
    } catch (e) {
      if (seq !== quoteSeq) return;
      const unavailable = e.body?.unavailable_items;
      replace(result, h('div', {class: 'notice error', 'data-quote': 'refused'},
        h('p', {}, e.message),
        unavailable ? h('ul', {}, unavailable.map((u) => h('li', {}, `${coffeeNames.get(u.coffee_id) ?? u.coffee_id}: ${u.reason}`))) : null));
    }
  }

  function renderQuote(q) {
    const ruleName = (id) => rules.find((r) => r.id === id)?.description || `Rule ${id}`;
    const outcomes = [
      ...q.applied_rules.map((r) => h('li', {'data-rule-id': r.rule_id, 'data-outcome': 'applied'},
        h('span', {class: 'applied'}, `Applied: −${money(r.discount)}`), ` ${r.description || ruleName(r.rule_id)}`)),
      ...q.not_applied.map((r) => h('li', {'data-rule-id': r.rule_id, 'data-outcome': 'not-applied'},
        h('span', {class: 'not-applied'}, 'Not applied: '), `${ruleName(r.rule_id)} — ${r.message} (${r.reason})`)),
    ];
    replace(result,
      h('dl', {class: 'totals', 'data-quote': 'ok'},
        h('dt', {}, 'Subtotal'), h('dd', {class: 'quote-base'}, money(q.base_price)),
        h('dt', {}, 'Discount'), h('dd', {class: 'quote-discount'}, `−${money(q.discount_total)}`),
        h('dt', {}, 'Total'), h('dd', {class: 'quote-total'}, money(q.total_price)),
        h('dt', {}, 'Combination'), h('dd', {}, `${q.pricing_strategy} → ${q.pricing_combination}`),
        h('dt', {}, 'Ready in'), h('dd', {}, `${q.estimated_prep_minutes} min`)),
      h('h3', {}, 'Rules'),
      outcomes.length ? h('ul', {class: 'rule-outcomes'}, outcomes) : h('p', {class: 'hint'}, 'No active rules.'));
  }

  load().catch((e) => replace(listBody, h('tr', {}, h('td', {colspan: 7, class: 'notice error'}, e.message))));
  return () => clearTimeout(quoteTimer);
}
