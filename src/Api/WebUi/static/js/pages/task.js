// One task: its steps as a graph with their states, kill/pause/resume, and a step's console (live while it runs).
// A fan-out also lists its runs by node; ?node= shows that node's steps and console.

import { call, enc, ApiError } from '../api.js';
import { h, replace, say, statusLine, every } from '../dom.js';
import { describe, isFinal, HEADER_STATES } from '../states.js';
import { drawDag } from '../dag.js';
import { ConsoleView } from '../console.js';
import { RunsView } from '../runs.js';

export function render(main, { arg: id, query, signal }) {
  const node = query.get('node') || null;
  const badge = h('span', { id: 'task-state', class: 'badge', role: 'status', 'aria-live': 'polite', 'aria-label': 'Task state' }, '…');
  const status = statusLine();
  const graph = h('div', { class: 'graph scroll' });
  const stepSelect = h('select', { id: 'console-step' });
  const view = new ConsoleView(id, signal, node);
  const runs = new RunsView(id, node);
  const graphTitle = h('h2', { id: 'graph-title' }, 'Steps');
  let fanOut = false;
  let nodeSteps = false;
  let steps = [];
  let drawn = '';
  let chosen = null;
  let final = false;

  const action = (name, verb) => h('button', { type: 'button', class: name === 'kill' ? 'danger' : '', onclick: () => act(name) }, verb);
  async function act(name) {
    say(status, `${name}…`);
    try {
      const { envelope } = await call('PUT', `/api/v1/task/${enc(id)}?action=${name}`);
      say(status, `${name}: ${envelope.message}`);
      await refresh();
    } catch (err) {
      say(status, `${name} refused: ${err.message}`, 'error');
    }
  }

  function select(name) {
    chosen = name;
    stepSelect.value = name;
    draw(true);
    follow();
  }

  /** Follows the chosen step's console; a fan-out's only once a node is chosen and its run's steps were read. */
  function follow() {
    const step = steps.find((st) => st.name === chosen);
    if (!step) return;
    if (!fanOut || nodeSteps) view.show(step);
    else if (!node) view.hint('A fan-out runs every step on each node: choose a node to read its console.');
  }

  /** The steps of the chosen node's run; null (and why, in the status line) while it has none. */
  async function readNodeSteps() {
    try {
      const { envelope } = await call('GET', `/api/v1/task/${enc(id)}?node=${enc(node)}`, { signal });
      if (status.textContent.startsWith(`Node ${node}:`)) say(status, '');
      return envelope.data;
    } catch (err) {
      if (signal.aborted) throw err;
      say(status, `Node ${node}: ${err.message}`, 'error');
      return null;
    }
  }
  stepSelect.addEventListener('change', () => select(stepSelect.value));

  function draw(force = false) {
    const key = JSON.stringify(steps.map((st) => [st.name, st.state, st.code])) + chosen;
    if (!force && key === drawn) return;
    drawn = key;
    const focused = document.activeElement?.dataset?.step;
    replace(graph, drawDag(steps, chosen, select));
    if (focused) graph.querySelector(`[data-step="${CSS.escape(focused)}"]`)?.focus();
    if (stepSelect.options.length !== steps.length) {
      replace(stepSelect, steps.map((st) => h('option', { value: st.name }, st.name)));
    }
    stepSelect.value = chosen ?? '';
    
  }

  async function refresh() {
    try {
      const { envelope, response } = await call('GET', `/api/v1/task/${enc(id)}`, { signal });
      steps = envelope.data;
      fanOut = Array.isArray(envelope.runs);
      if (fanOut) {
        runs.show(envelope.runs);
        graphTitle.textContent = node ? `Steps on node ${node}` : 'Steps on all nodes';
        const own = node ? await readNodeSteps() : null;
        nodeSteps = own !== null;
        if (own) steps = own;
      }
      const name = response.headers.get('X-Task-STATE') ?? '';
      const state = HEADER_STATES[name] ?? 2;
      const code = envelope.data.reduce((sum, st) => sum + st.code, 0);
      const label = describe(state, envelope.code === 1002 && code === 0 ? 1 : code);
      badge.textContent = label.label;
      badge.className = `badge s-${label.cls}`;
      final = isFinal(state);
      for (const button of main.querySelectorAll('.actions button')) button.disabled = final;
      if (chosen === null && steps.length > 0) {
        select((steps.find((st) => st.state === 1) ?? steps[0]).name);
      } else {
        draw();
        follow();
      }
      if (envelope.code === 1002) say(status, envelope.message, 'error');
    } catch (err) {
      if (signal.aborted) return;
      say(status, err instanceof ApiError && err.status === 404 ? `Task ${id} not found (unknown or expired).` : `Could not read the task: ${err.message}`, 'error');
      if (err instanceof ApiError && err.status === 404) final = true;
    }
  }

  main.append(
    h('div', { class: 'head' },
      h('h1', {}, 'Task ', h('span', { class: 'id' }, id)), badge),
    h('div', { class: 'actions', role: 'group', 'aria-label': 'Task actions' },
      action('kill', 'Kill'), action('pause', 'Pause'), action('resume', 'Resume')),
    status,
    runs.element,
    h('section', { 'aria-labelledby': 'graph-title' }, graphTitle, graph),
    h('section', { 'aria-labelledby': 'console-title', class: 'console-section' },
      h('div', { class: 'head' }, h('h2', { id: 'console-title' }, 'Console'),
        h('label', { for: 'console-step' }, 'Step'), stepSelect),
      view.element));

  every(2000, signal, async () => {
    if (!final) await refresh();
  });
}
