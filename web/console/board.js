// The baristas' board: open orders in four columns, one tap to move a ticket on or cancel it,
// kept live by the order event stream (GET /api/orders/events, read with fetch) and, while
// that stream is not available, by polling GET /api/orders?status=… every few seconds.

import {ApiError, call, get, refresh, session} from './api.js';
import {announce, clock, h, minutesSince, replace, screenTitle} from './dom.js';
import {readEventStream} from './sse.js';

export const COLUMNS = [
  {status: 'pending', title: 'Pending'},
  {status: 'confirmed', title: 'Confirmed'},
  {status: 'preparing', title: 'Preparing'},
  {status: 'ready', title: 'Ready'},
];
const OPEN = new Set(COLUMNS.map((c) => c.status));
const NEXT = {
  pending: {to: 'confirmed', label: 'Confirm'},
  confirmed: {to: 'preparing', label: 'Start'},
  preparing: {to: 'ready', label: 'Ready'},
  ready: {to: 'completed', label: 'Hand over'},
};
export const POLL_SECONDS = 3;
/** How often a stream that answered "not here" is tried again while polling. */
const STREAM_RETRY_SECONDS = 300;
/** The server sends `: ping` every 15 s; silence for this long means the stream is dead. */
const HEARTBEAT_TIMEOUT_SECONDS = 45;

const time = (iso) => Date.parse(iso) || 0;

/** The open orders by id; an order only ever replaces an older version of itself. */
export class BoardState {
  constructor() {
    this.orders = new Map();
    this.via = new Map();
  }

  /** Applies one order (from GET, an event or an action); true if the board changed. */
  apply(order, via) {
    const known = this.orders.get(order.id);
    if (known && time(known.updated_at) > time(order.updated_at)) return false;
    if (!OPEN.has(order.status)) {
      this.via.delete(order.id);
      return this.orders.delete(order.id);
    }
    if (known && known.updated_at === order.updated_at && known.status === order.status) return false;
    this.orders.set(order.id, order);
    this.via.set(order.id, via);
    return true;
  }

  /** Replaces the board with a full reload, keeping versions newer than it. */
  replaceAll(orders, via) {
    const fresh = new Map(orders.map((o) => [o.id, o]));
    let changed = false;
    for (const [id, known] of this.orders) {
      const next = fresh.get(id);
      if (!next && time(known.updated_at) <= this.reloadStartedAt) {
        this.orders.delete(id);
        this.via.delete(id);
        changed = true;
      }
    }
    for (const order of fresh.values()) changed = this.apply(order, via) || changed;
    return changed;
  }

  column(status) {
    return [...this.orders.values()]
      .filter((o) => o.status === status)
      .sort((a, b) => time(a.created_at) - time(b.created_at));
  }
}

/** The order's items as "2 × Latte". */
function itemsText(order) {
  return order.items.map((i) => `${i.quantity} × ${i.coffee_name}`);
}

/** Age, lateness and the "Ready by" line of a ticket at `now`. */
function timing(order, now) {
  const age = Math.max(0, minutesSince(order.created_at, now));
  const lateBy = minutesSince(order.estimated_ready_at, now);
  const late = order.status !== 'ready' && lateBy > 0;
  const eta = [`Ready by ${clock(order.estimated_ready_at)}`];
  if (late) eta.push(h('strong', {class: 'late-label'}, ` · late ${lateBy} min`));
  return {age: age === 0 ? 'just now' : `${age} min ago`, late, eta};
}

/** Keeps the board live; mode is shown to the barista and set on the board element. */
class LiveFeed {
  constructor({reload, onOrder, onMode}) {
    this.reload = reload;
    this.onOrder = onOrder;
    this.onMode = onMode;
    this.running = false;
    this.pollTimer = null;
    this.wake = null;
    this.lastEventId = '';
  }

  start() {
    this.running = true;
    this.loop();
  }

  stop() {
    this.running = false;
    this.stopPolling();
    clearTimeout(this.watchdog);
    this.controller?.abort();
    this.wake?.();
  }

  /** Waits `ms`, or less if the feed stops. */
  sleep(ms) {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  startPolling() {
    if (this.pollTimer) return;
    const tick = async () => {
      try {
        await this.reload('poll');
        this.onMode('polling');
      } catch (error) {
        if (error instanceof ApiError && error.status !== 0) this.onMode('polling');
        else this.onMode('offline');
      }
    };
    tick();
    this.pollTimer = setInterval(tick, POLL_SECONDS * 1000);
  }

  stopPolling() {
    clearInterval(this.pollTimer);
    this.pollTimer = null;
  }

  armWatchdog(controller) {
    clearTimeout(this.watchdog);
    this.watchdog = setTimeout(() => controller.abort(), HEARTBEAT_TIMEOUT_SECONDS * 1000);
  }

  async loop() {
    let backoff = 1000;
    while (this.running) {
      const controller = new AbortController();
      this.controller = controller;
      try {
        const token = session.accessToken ?? (await refresh());
        await readEventStream('/api/orders/events', {
          token,
          lastEventId: this.lastEventId,
          signal: controller.signal,
          onOpen: async () => {
            // Events wait in the stream while the open orders are reloaded, then apply on top.
            this.stopPolling();
            this.armWatchdog(controller);
            await this.reload('sse');
            this.onMode('sse');
            backoff = 1000;
          },
          onChunk: () => this.armWatchdog(controller),
          onEvent: (event) => {
            if (event.id) this.lastEventId = event.id;
            if (event.type === 'resync') {
              // The server may have missed events (its feed reconnected): reload the columns.
              this.reload('sse').catch(() => {});
              return;
            }
            if (event.type !== 'order') return;
            try {
              this.onOrder(JSON.parse(event.data), 'sse');
            } catch {
              // A malformed event is skipped; the next reload corrects the board.
            }
          },
        });
        if (this.running) await this.sleep(1000);  // the server ended the stream
      } catch (error) {
        if (!this.running) break;
        if (error.kind === 'unauthorized') {
          try {
            await refresh();
            continue;
          } catch {
            this.onMode('offline');
            break;
          }
        }
        this.startPolling();
        if (error.kind === 'unavailable') {
          await this.sleep(STREAM_RETRY_SECONDS * 1000);
        } else {
          await this.sleep(backoff);
          backoff = Math.min(backoff * 2, 30000);
        }
      } finally {
        clearTimeout(this.watchdog);
      }
    }
  }
}

const MODE_TEXT = {
  connecting: 'Connecting…',
  sse: 'Live',
  polling: `Live (refreshing every ${POLL_SECONDS} s)`,
  offline: 'Connection lost, retrying…',
};

/** Renders the board into `main`; returns a function that stops it. */
export function renderBoard(main, {isAdmin}) {
  const state = new BoardState();
  const indicator = h('span', {class: 'live', 'data-mode': 'connecting'}, MODE_TEXT.connecting);
  const columns = new Map();
  const grid = h('div', {class: 'board', id: 'board', 'data-transport': 'connecting'});
  for (const {status, title} of COLUMNS) {
    const count = h('span', {class: 'count'}, '0');
    const list = h('ol', {class: 'tickets', 'aria-label': `${title} orders`});
    const heading = h('h2', {tabindex: '-1', id: `col-${status}`}, title, ' ', count);
    grid.append(h('section', {class: `column column-${status}`, 'aria-labelledby': heading.id}, heading, list));
    columns.set(status, {list, count, heading});
  }
  replace(main, h('div', {class: 'board-head'}, screenTitle('Board'), indicator), grid);

  let initial = true;
  let signature = '';

  function render(keepFocus) {
    const now = Date.now();
    const focusKey = keepFocus ?? document.activeElement?.dataset?.focusKey;
    const focusColumn = document.activeElement?.closest?.('.column')?.querySelector('h2');
    for (const {status} of COLUMNS) {
      const {list, count} = columns.get(status);
      const orders = state.column(status);
      count.textContent = String(orders.length);
      replace(list, orders.map((o) => ticket(o, now)));
    }
    if (focusKey) {
      const again = grid.querySelector(`[data-focus-key="${CSS.escape(focusKey)}"]`);
      (again ?? focusColumn)?.focus();
    }
  }

  function renderIfChanged(keepFocus) {
    const next = [...state.orders.values()].map((o) => `${o.id}:${o.status}:${o.updated_at}`).sort().join('|');
    if (next === signature) {
      // The change may have been drawn already (its event can beat the action's own answer):
      // focus still follows the ticket.
      if (keepFocus) grid.querySelector(`[data-focus-key="${CSS.escape(keepFocus)}"]`)?.focus();
      return;
    }
    signature = next;
    render(keepFocus);
  }

  function ticket(order, now) {
    const short = order.id.slice(0, 8);
    const {age, late, eta} = timing(order, now);
    const next = NEXT[order.status];
    const body = [
      h('div', {class: 'ticket-head'},
        h('span', {class: 'order-id'}, `#${short}`),
        h('span', {class: 'age'}, age)),
      h('ul', {class: 'items'}, itemsText(order).map((t) => h('li', {}, t))),
      h('p', {class: 'eta'}, eta),
      h('div', {class: 'actions'},
        h('button', {
          type: 'button',
          class: 'advance',
          'data-focus-key': `${order.id}:advance`,
          'aria-label': `${next.label} order ${short}`,
          onclick: (e) => move(order, next.to, e.currentTarget),
        }, next.label),
        h('button', {
          type: 'button',
          class: 'cancel danger',
          'data-focus-key': `${order.id}:cancel`,
          'aria-label': `Cancel order ${short}`,
          onclick: (e) => move(order, 'cancelled', e.currentTarget),
        }, 'Cancel')),
    ];
    if (isAdmin) {
      body.push(h('a', {class: 'audit-link', href: `#/history/${order.id}`}, 'Audit'));
    }
    return h('li', {
      class: late ? 'ticket late' : 'ticket',
      'data-order-id': order.id,
      'data-status': order.status,
      'data-updated-via': state.via.get(order.id) ?? '',
    }, body);
  }

  /** Updates ages and late marks in place (every 15 s), so no tap is lost to a rebuild. */
  function tickTimes() {
    const now = Date.now();
    for (const li of grid.querySelectorAll('.ticket')) {
      const order = state.orders.get(li.dataset.orderId);
      if (!order) continue;
      const {age, late, eta} = timing(order, now);
      li.querySelector('.age').textContent = age;
      replace(li.querySelector('.eta'), eta);
      li.classList.toggle('late', late);
    }
  }

  async function move(order, to, button) {
    // Disabling the button drops its focus; the key brings it back on the moved ticket.
    const focusKey = document.activeElement === button ? button.dataset.focusKey : undefined;
    const buttons = button.closest('.actions').querySelectorAll('button');
    for (const b of buttons) b.disabled = true;
    try {
      const res = await call('PATCH', `/api/orders/${order.id}/status`, {body: {status: to}});
      state.apply(res.body, 'action');
      announce(to === 'cancelled'
        ? `Order ${order.id.slice(0, 8)} cancelled`
        : `Order ${order.id.slice(0, 8)} is ${to}`);
    } catch (error) {
      announce(error.message, 'error');
      await reload('poll').catch(() => {});
    } finally {
      for (const b of buttons) b.disabled = false;
      renderIfChanged(focusKey);
    }
  }

  async function reload(via) {
    state.reloadStartedAt = Date.now() - 1000;
    const lists = await Promise.all(
      COLUMNS.map(({status}) => get(`/api/orders?status=${status}&limit=100`)));
    const before = new Set(state.orders.keys());
    state.replaceAll(lists.flat(), via);
    if (!initial) {
      for (const o of state.orders.values()) {
        if (!before.has(o.id) && o.status === 'pending') announce(`New order ${o.id.slice(0, 8)}`);
      }
    }
    initial = false;
    renderIfChanged();
  }

  const feed = new LiveFeed({
    reload,
    onOrder: (order, via) => {
      const isNew = !state.orders.has(order.id) && order.status === 'pending';
      if (state.apply(order, via)) {
        if (isNew) announce(`New order ${order.id.slice(0, 8)}`);
        renderIfChanged();
      }
    },
    onMode: (mode) => {
      indicator.dataset.mode = mode;
      indicator.textContent = MODE_TEXT[mode];
      grid.dataset.transport = mode;
    },
  });
  feed.start();
  const clockTimer = setInterval(tickTimes, 15000);
  return () => {
    feed.stop();
    clearInterval(clockTimer);
  };
}
