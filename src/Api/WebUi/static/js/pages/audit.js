// The audit log, newest first, a page at a time.

import { get } from '../api.js';
import { h, replace, say, statusLine } from '../dom.js';

const SIZE = 50;

export async function render(main, { query, signal }) {
  const page = Math.max(1, Number(query.get('page')) || 1);
  const body = h('tbody');
  const status = statusLine();
  const pager = h('nav', { class: 'pager', 'aria-label': 'Pages' });
  main.append(
    h('h1', {}, 'Audit log'),
    status,
    h('div', { class: 'scroll' }, h('table', { 'aria-label': 'Audit log, newest first' },
      h('thead', {}, h('tr', {}, ['Time', 'Who', 'From', 'Action', 'Task', 'Step', 'Node', 'Outcome'].map((c) => h('th', { scope: 'col' }, c)))),
      body)),
    pager);
  try {
    const data = (await get(`/api/v1/audit?page=${page}&size=${SIZE}`, { signal })).data;
    replace(body, data.entries.length === 0
      ? h('tr', {}, h('td', { colspan: 8, class: 'empty' }, 'No entries.'))
      : data.entries.map((e) => h('tr', {},
        h('td', {}, e.time), h('td', {}, e.actor), h('td', {}, e.client), h('td', {}, e.action),
        h('td', {}, e.task ? h('a', { href: `#/task/${encodeURIComponent(e.task)}` }, e.task) : ''),
        h('td', {}, e.step ?? ''), h('td', {}, e.node ?? ''), h('td', { class: 'msg' }, e.outcome))));
    const pages = Math.max(1, Math.ceil(data.total / SIZE));
    replace(pager,
      h('a', { class: 'button', href: `#/audit?page=${page - 1}`, hidden: page <= 1 }, '← Newer'),
      h('span', {}, `Page ${page} of ${pages} · ${data.total} entries`),
      h('a', { class: 'button', href: `#/audit?page=${page + 1}`, hidden: page >= pages }, 'Older →'));
  } catch (err) {
    if (!signal.aborted) say(status, `Could not read the audit log: ${err.message}`, 'error');
  }
}
