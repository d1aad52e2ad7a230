// Small hand-written SVG bar charts. Each chart is an image with a text summary for screen
// readers, followed by the same numbers as a table under a <details>.

import {h} from './dom.js';

const svg = (tag, attrs, ...children) => h(`svg:${tag}`, attrs, ...children);

/** A "nice" upper bound for an axis: 1, 2 or 5 × a power of ten, at least `max`. */
export function niceMax(max) {
  if (!(max > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

/**
 * Vertical bars: rows [{label, value}], `format` for values. Labels are thinned to about
 * twelve under the axis so that a month of days stays readable.
 */
export function columnChart(rows, {title, format = String}) {
  const width = 640;
  const height = 260;
  const left = 70;
  const bottom = 40;
  const top = 12;
  const plotW = width - left - 8;
  const plotH = height - top - bottom;
  const max = niceMax(Math.max(0, ...rows.map((r) => r.value)));
  const band = plotW / Math.max(1, rows.length);
  const every = Math.max(1, Math.ceil(rows.length / 12));
  const bars = rows.map((r, i) => {
    const barH = (Math.max(0, r.value) / max) * plotH;
    const x = left + i * band + band * 0.1;
    return svg('g', {},
      svg('rect', {class: 'bar', x: x.toFixed(1), y: (top + plotH - barH).toFixed(1), width: (band * 0.8).toFixed(1), height: barH.toFixed(1)},
        svg('title', {}, `${r.label}: ${format(r.value)}`)),
      i % every === 0
        ? svg('text', {x: (x + band * 0.4).toFixed(1), y: height - bottom + 16, 'text-anchor': 'middle'}, r.label)
        : null);
  });
  const ticks = [0, 0.5, 1].map((f) => svg('text', {x: left - 6, y: (top + plotH - f * plotH + 4).toFixed(1), 'text-anchor': 'end'}, format(max * f)));
  return figure(title, rows, format,
    svg('svg', {viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': summary(title, rows, format)},
      svg('line', {class: 'axis', x1: left, y1: top + plotH, x2: width - 8, y2: top + plotH}),
      svg('line', {class: 'axis', x1: left, y1: top, x2: left, y2: top + plotH}),
      ...ticks, ...bars));
}

/** Horizontal bars, one row per item, largest first as given. */
export function barChart(rows, {title, format = String, alt = false}) {
  const width = 640;
  const rowH = 30;
  const labelW = 200;
  const height = rows.length * rowH + 8;
  const max = niceMax(Math.max(0, ...rows.map((r) => r.value)));
  const plotW = width - labelW - 90;
  const bars = rows.map((r, i) => {
    const w = (Math.max(0, r.value) / max) * plotW;
    const y = 4 + i * rowH;
    return svg('g', {},
      svg('text', {x: labelW - 8, y: y + 19, 'text-anchor': 'end'}, r.label.length > 26 ? `${r.label.slice(0, 25)}…` : r.label),
      svg('rect', {class: alt ? 'bar alt' : 'bar', x: labelW, y: y + 3, width: w.toFixed(1), height: rowH - 8},
        svg('title', {}, `${r.label}: ${format(r.value)}`)),
      svg('text', {x: (labelW + w + 6).toFixed(1), y: y + 19}, format(r.value)));
  });
  return figure(title, rows, format,
    svg('svg', {viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': summary(title, rows, format)}, ...bars));
}

function summary(title, rows, format) {
  if (rows.length === 0) return `${title}: no data`;
  const top = rows.reduce((a, b) => (b.value > a.value ? b : a));
  return `${title}: ${rows.length} values, highest ${top.label} at ${format(top.value)}`;
}

function figure(title, rows, format, chart) {
  return h('figure', {class: 'chart'}, chart,
    h('details', {}, h('summary', {}, `${title} as a table`),
      h('table', {}, h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'Item'), h('th', {scope: 'col', class: 'num'}, 'Value'))),
        h('tbody', {}, rows.map((r) => h('tr', {}, h('th', {scope: 'row'}, r.label), h('td', {class: 'num'}, format(r.value))))))));
}
