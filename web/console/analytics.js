// Analytics (SPEC §10): revenue by day, top coffees and the discount cost of each pricing rule,
// as charts. A report the server does not have (404, e.g. before analytics is deployed) shows a
// clear "not available" panel instead; the other reports still load.

import {call} from './api.js';
import {barChart, columnChart} from './charts.js';
import {field, h, money, replace, screenTitle, section} from './dom.js';

const BASE = '/api/v1/admin/analytics';

const REPORTS = [
  {
    id: 'revenue',
    title: 'Revenue by day',
    path: (q) => `${BASE}/sales/by-period?period=daily&${q}`,
    chart: (rows) => columnChart(rows.map((r) => ({label: String(r.period).slice(5, 10) || String(r.period), value: Number(r.revenue)})),
      {title: 'Revenue by day', format: money}),
  },
  {
    id: 'top-coffees',
    title: 'Top coffees (quantity)',
    path: (q) => `${BASE}/coffees/most-ordered?limit=10&${q}`,
    chart: (rows) => barChart(rows.map((r) => ({label: r.coffee_name, value: Number(r.quantity)})),
      {title: 'Top coffees by quantity'}),
  },
  {
    id: 'discount-cost',
    title: 'Discount cost per rule',
    path: (q) => `${BASE}/rules/discount-cost?${q}`,
    chart: (rows) => barChart(rows.map((r) => ({label: r.description || `Rule ${r.rule_id}`, value: Number(r.discount_total)})),
      {title: 'Discount cost per rule', format: money, alt: true}),
  },
];

const isoDate = (d) => d.toLocaleDateString('en-CA');

export function renderAnalytics(main) {
  const today = new Date();
  const start = field('From', h('input', {type: 'date', value: isoDate(new Date(today.getTime() - 29 * 86400000))}));
  const end = field('To', h('input', {type: 'date', value: isoDate(today)}));
  const panels = new Map(REPORTS.map((r) => [r.id, h('div', {class: 'report', 'data-report': r.id})]));
  const form = h('form', {novalidate: true, 'aria-label': 'Date range'},
    h('div', {class: 'inline'}, start.row, end.row, h('button', {type: 'submit'}, 'Show')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    load();
  });
  replace(main, screenTitle('Analytics'),
    h('p', {class: 'hint'}, 'Completed, unrefunded orders; whole shop days, both dates included.'),
    form,
    h('div', {class: 'charts'}, REPORTS.map((r) => section(r.title, panels.get(r.id)))));

  async function loadOne(report, query) {
    const panel = panels.get(report.id);
    replace(panel, h('p', {class: 'loading'}, 'Loading…'));
    panel.dataset.state = 'loading';
    try {
      const rows = (await call('GET', report.path(query))).body;
      if (!Array.isArray(rows) || rows.length === 0) {
        replace(panel, h('p', {class: 'hint'}, 'No sales in this period.'));
        panel.dataset.state = 'empty';
        return;
      }
      replace(panel, report.chart(rows));
      panel.dataset.state = 'chart';
    } catch (e) {
      if (e.status === 404) {
        replace(panel, h('div', {class: 'notice unavailable'},
          h('p', {}, h('strong', {}, 'Not available. '), 'This server does not provide this report yet.')));
        panel.dataset.state = 'unavailable';
      } else {
        replace(panel, h('p', {class: 'notice error'}, e.message));
        panel.dataset.state = 'error';
      }
    }
  }

  function load() {
    const query = `start_date=${encodeURIComponent(start.input.value)}&end_date=${encodeURIComponent(end.input.value)}`;
    return Promise.all(REPORTS.map((r) => loadOne(r, query)));
  }
  load();
}
