// History: the change log of the rules configuration (who changed what, before → after) and
// the audit of one order (every rule decision recorded when it was placed and completed).

import {ApiError, call, get} from './api.js';
import {dateTime, field, h, replace, screenTitle, section, setFieldError} from './dom.js';

const PAGE_SIZE = 20;

/** "field: before → after" for each top-level key that differs (updated_at left out). */
export function changedFields(before, after) {
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  const out = [];
  for (const key of keys) {
    if (key === 'updated_at' || key === 'created_at') continue;
    const a = JSON.stringify(before?.[key] ?? null);
    const b = JSON.stringify(after?.[key] ?? null);
    if (a !== b) out.push(before ? `${key}: ${a} → ${b}` : `${key}: ${b}`);
  }
  return out;
}

export function renderHistory(main, {args}) {
  const auditSlot = h('div');
  const changesSlot = h('div');
  replace(main, screenTitle('History'), auditSlot, changesSlot);

  let users = new Map();
  get('/api/admin/users?limit=100').then((list) => {
    users = new Map(list.map((u) => [u.id, u.email]));
  }).catch(() => {}).finally(() => loadChanges(1));

  // The audit of an order.
  const orderId = field('Order id', h('input', {type: 'text', value: args[0] ?? '', spellcheck: 'false', autocomplete: 'off'}),
    'The order\u2019s UUID, as shown on the board (click "Audit" on a ticket).');
  const auditResult = h('div', {'aria-live': 'polite'});
  const auditForm = h('form', {novalidate: true, 'aria-label': 'Audit of an order'},
    h('div', {class: 'inline'}, orderId.row, h('button', {type: 'submit'}, 'Show audit')), auditResult);
  auditForm.addEventListener('submit', (event) => {
    event.preventDefault();
    loadAudit(orderId.input.value.trim());
  });
  replace(auditSlot, section('Audit of an order', auditForm));

  async function loadAudit(id) {
    setFieldError(orderId, '');
    if (!id) {
      setFieldError(orderId, 'Enter an order id');
      return;
    }
    try {
      const rows = await get(`/api/business-rules/audit?order_id=${encodeURIComponent(id)}&limit=100`);
      if (rows.length === 0) {
        replace(auditResult, h('p', {class: 'notice'}, 'No audit rows for this order.'));
        return;
      }
      replace(auditResult, h('div', {class: 'table-wrap'}, h('table', {class: 'audit'},
        h('thead', {}, h('tr', {}, ['When', 'Decision', 'Rule', 'Effect', 'Data'].map((t) => h('th', {scope: 'col'}, t)))),
        h('tbody', {}, rows.map((r) => h('tr', {},
          h('td', {}, dateTime(r.created_at)),
          h('td', {}, r.rule_type),
          h('td', {}, r.rule_id ?? ''),
          h('td', {}, r.effect),
          h('td', {}, h('details', {}, h('summary', {}, 'Data'), h('pre', {class: 'json'}, JSON.stringify(r.rule_data, null, 2))))))))));
    } catch (e) {
      if (e instanceof ApiError && e.fields.order_id) setFieldError(orderId, e.fields.order_id);
      else replace(auditResult, h('p', {class: 'notice error'}, e.message));
    }
  }
  if (args[0]) loadAudit(args[0]);

  // The change log, newest first.
  async function loadChanges(page) {
    try {
      const res = await call('GET', `/api/business-rules/changes?limit=${PAGE_SIZE}&page=${page}`);
      const total = Number(res.headers.get('X-Total-Count') ?? res.body.length);
      const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
      const table = h('div', {class: 'table-wrap'}, h('table', {class: 'changes'},
        h('thead', {}, h('tr', {}, ['When', 'Who', 'What', 'Action', 'Change'].map((t) => h('th', {scope: 'col'}, t)))),
        h('tbody', {}, res.body.map((c) => h('tr', {},
          h('td', {}, dateTime(c.created_at)),
          h('td', {}, users.get(c.actor_id) ?? `user ${c.actor_id}`),
          h('td', {}, c.entity_id ? `${c.entity} ${c.entity_id}` : c.entity),
          h('td', {}, c.action),
          h('td', {}, h('ul', {class: 'diff'}, changedFields(c.before, c.after).map((line) => h('li', {}, line)))))))));
      const pager = h('div', {class: 'pager'},
        h('button', {type: 'button', class: 'small secondary', disabled: page <= 1, onclick: () => loadChanges(page - 1)}, 'Newer'),
        h('span', {}, `Page ${page} of ${pages} (${total} changes)`),
        h('button', {type: 'button', class: 'small secondary', disabled: page >= pages, onclick: () => loadChanges(page + 1)}, 'Older'));
      replace(changesSlot, section('Change log', total ? table : h('p', {class: 'hint'}, 'No changes yet.'), pager));
    } catch (e) {
      replace(changesSlot, section('Change log', h('p', {class: 'notice error'}, e.message)));
    }
  }
}
