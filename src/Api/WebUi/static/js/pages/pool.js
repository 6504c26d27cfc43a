// Pool and nodes: every live node with its pool figures, and a resize per node.

import { call, get, enc } from '../api.js';
import { h, replace, say, statusLine, every } from '../dom.js';

export function render(main, { signal }) {
  const body = h('tbody');
  const status = statusLine();
  const rows = new Map();

  async function resize(node, input) {
    const size = Number(input.value);
    say(status, `Resizing the pool of ${node}…`);
    try {
      const { envelope } = await call('POST', `/api/v1/pool?node=${enc(node)}`, { body: JSON.stringify({ size }) });
      say(status, `Pool of ${node}: size ${envelope.data?.size ?? size}`);
      await refresh();
    } catch (err) {
      say(status, `Resize refused: ${err.message}`, 'error');
    }
  }

  function rowOf(node) {
    const cells = { size: h('td', { class: 'num' }), running: h('td', { class: 'num' }), waiting: h('td', { class: 'num' }), address: h('td'), status: h('td'), labels: h('td') };
    const id = `size-${node.replace(/[^A-Za-z0-9]/g, '_')}`;
    const input = h('input', { id, type: 'number', min: 1, step: 1, required: true, 'aria-label': `New pool size for ${node}` });
    const form = h('form', { class: 'inline' }, input, h('button', { type: 'submit', 'aria-label': `Resize the pool of ${node}` }, 'Resize'));
    form.addEventListener('submit', (e) => { e.preventDefault(); resize(node, input); });
    const tr = h('tr', {}, h('th', { scope: 'row' }, node), cells.address, cells.status, cells.size, cells.running, cells.waiting, cells.labels, h('td', {}, form));
    return { tr, cells, input };
  }

  async function refresh() {
    const data = (await get('/api/v1/nodes', { signal })).data;
    for (const node of data.nodes) {
      if (!rows.has(node.name)) rows.set(node.name, rowOf(node.name));
      const row = rows.get(node.name);
      row.cells.address.textContent = node.address;
      row.cells.status.textContent = node.status;
      row.cells.labels.textContent = Object.entries(node.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(', ');
      row.cells.size.textContent = node.size;
      row.cells.running.textContent = node.running;
      row.cells.waiting.textContent = node.waiting;
      if (document.activeElement !== row.input && row.input.value === '') row.input.placeholder = String(node.size);
    }
    const live = new Set(data.nodes.map((n) => n.name));
    for (const name of [...rows.keys()]) if (!live.has(name)) rows.delete(name);
    replace(body, [...rows.values()].map((r) => r.tr));
  }

  main.append(
    h('h1', {}, 'Pool & nodes'),
    h('p', {}, 'Each node runs at most its pool size of steps at once; the rest wait. A resize takes effect at once.'),
    status,
    h('div', { class: 'scroll' }, h('table', { 'aria-label': 'Nodes and their pools' },
      h('thead', {}, h('tr', {}, ['Node', 'Address', 'Status', 'Pool size', 'Running', 'Waiting', 'Labels', 'Resize'].map((c) => h('th', { scope: 'col' }, c)))),
      body)));

  every(2000, signal, async () => {
    try {
      await refresh();
    } catch (err) {
      if (!signal.aborted) say(status, `Could not read the nodes: ${err.message}`, 'error');
    }
  });
}
