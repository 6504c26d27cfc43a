// Task list: newest first, a page at a time, filtered by state and node in the page, refreshed every 2 s.

import { get } from '../api.js';
import { h, replace, say, statusLine, every } from '../dom.js';
import { describe, FILTERS } from '../states.js';

const SIZES = [20, 50, 100];

/**
 * The server lists oldest first (by start time, ?page=&size=); the UI shows newest first, so its page k is the
 * k-th slice from the end: at most two server pages of the same size.
 */
async function newestFirst(page, size, signal) {
  const total = (await get('/api/v1/task?page=1&size=1', { signal })).data.total;
  const end = Math.max(0, total - (page - 1) * size);
  const start = Math.max(0, end - size);
  const tasks = [];
  if (end > start) {
    const first = Math.floor(start / size) + 1;
    const last = Math.floor((end - 1) / size) + 1;
    for (let p = first; p <= last; p++) {
      const data = (await get(`/api/v1/task?page=${p}&size=${size}`, { signal })).data;
      data.tasks.forEach((t, i) => {
        const index = (p - 1) * size + i;
        if (index >= start && index < end) tasks.push(t);
      });
    }
  }
  return { total, tasks: tasks.reverse() };
}

export function render(main, { query, signal }) {
  const page = Math.max(1, Number(query.get('page')) || 1);
  const size = SIZES.includes(Number(query.get('size'))) ? Number(query.get('size')) : SIZES[0];
  const stateFilter = h('select', { id: 'filter-state' }, FILTERS.map(([v, label]) => h('option', { value: v }, label)));
  const nodeFilter = h('select', { id: 'filter-node' }, h('option', { value: '' }, 'All nodes'));
  const sizeSelect = h('select', { id: 'page-size' }, SIZES.map((n) => h('option', { value: n, selected: n === size }, `${n} per page`)));
  const body = h('tbody');
  const status = statusLine();
  const pager = h('nav', { class: 'pager', 'aria-label': 'Pages' });
  let last = { total: 0, tasks: [] };

  const go = (p, s = size) => { location.hash = `#/tasks?page=${p}&size=${s}`; };
  sizeSelect.addEventListener('change', () => go(1, Number(sizeSelect.value)));
  stateFilter.addEventListener('change', () => draw());
  nodeFilter.addEventListener('change', () => draw());

  function draw() {
    const test = FILTERS.find(([v]) => v === stateFilter.value)[2];
    const nodes = [...new Set(last.tasks.map((t) => t.node))].sort();
    const chosen = nodeFilter.value;
    replace(nodeFilter, h('option', { value: '' }, 'All nodes'), nodes.map((n) => h('option', { value: n, selected: n === chosen }, n)));
    if (chosen && !nodes.includes(chosen)) nodeFilter.append(h('option', { value: chosen, selected: true }, chosen));
    const shown = last.tasks.filter((t) => test(t) && (!nodeFilter.value || t.node === nodeFilter.value));
    replace(body, shown.length === 0
      ? h('tr', {}, h('td', { colspan: 8, class: 'empty' }, last.tasks.length ? 'No task on this page matches the filters.' : 'No tasks yet.'))
      : shown.map(row));
    const pages = Math.max(1, Math.ceil(last.total / size));
    replace(pager,
      h('button', { type: 'button', disabled: page <= 1, onclick: () => go(page - 1) }, '← Newer'),
      h('span', {}, `Page ${page} of ${pages} · ${last.total} tasks`),
      h('button', { type: 'button', disabled: page >= pages, onclick: () => go(page + 1) }, 'Older →'));
  }

  main.append(
    h('div', { class: 'head' }, h('h1', {}, 'Tasks'), h('a', { class: 'button', href: '#/submit' }, 'Submit a task')),
    h('div', { class: 'filters' },
      h('label', { for: 'filter-state' }, 'State'), stateFilter,
      h('label', { for: 'filter-node' }, 'Node'), nodeFilter,
      h('label', { for: 'page-size' }, 'Page size'), sizeSelect),
    status,
    h('div', { class: 'scroll' }, h('table', { class: 'tasks', 'aria-label': 'Tasks, newest first' },
      h('thead', {}, h('tr', {}, ['Task', 'State', 'Node', 'Steps', 'Nodes', 'Started', 'Ended', 'Message'].map((c) => h('th', { scope: 'col' }, c)))),
      body)),
    pager);

  every(2000, signal, async () => {
    try {
      last = await newestFirst(page, size, signal);
      say(status, '');
      draw();
    } catch (err) {
      if (!signal.aborted) say(status, `Could not read the task list: ${err.message}`, 'error');
    }
  });
}

function row(t) {
  const state = describe(t.state, t.code);
  return h('tr', {},
    h('td', {}, h('a', { href: `#/task/${encodeURIComponent(t.id)}` }, t.id)),
    h('td', {}, h('span', { class: `badge s-${state.cls}` }, state.label)),
    h('td', {}, t.node),
    h('td', { class: 'num' }, t.count),
    // A fan-out runs on several nodes (its row's node is where it is kept); a plain task on its one node.
    h('td', { class: 'num' }, t.nodes > 0 ? t.nodes : ''),
    h('td', {}, t.times?.st ?? ''),
    h('td', {}, t.times?.et ?? ''),
    h('td', { class: 'msg' }, t.msg));
}
