// One task: its steps as a graph with their states, kill/pause/resume, and a step's console (live while it runs).

import { call, enc, ApiError } from '../api.js';
import { h, replace, say, statusLine, every } from '../dom.js';
import { describe, isFinal, HEADER_STATES } from '../states.js';
import { drawDag } from '../dag.js';
import { ConsoleView } from '../console.js';

export function render(main, { arg: id, signal }) {
  const badge = h('span', { id: 'task-state', class: 'badge', role: 'status', 'aria-live': 'polite', 'aria-label': 'Task state' }, '…');
  const status = statusLine();
  const graph = h('div', { class: 'graph scroll' });
  const stepSelect = h('select', { id: 'console-step' });
  const view = new ConsoleView(id, signal);
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
    const step = steps.find((st) => st.name === name);
    if (step) view.show(step);
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
      const name = response.headers.get('X-Task-STATE') ?? '';
      const state = HEADER_STATES[name] ?? 2;
      const code = steps.reduce((sum, st) => sum + st.code, 0);
      const label = describe(state, envelope.code === 1002 && code === 0 ? 1 : code);
      badge.textContent = label.label;
      badge.className = `badge s-${label.cls}`;
      final = isFinal(state);
      for (const button of main.querySelectorAll('.actions button')) button.disabled = final;
      if (chosen === null && steps.length > 0) {
        select((steps.find((st) => st.state === 1) ?? steps[0]).name);
      } else {
        draw();
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
    h('section', { 'aria-labelledby': 'graph-title' }, h('h2', { id: 'graph-title' }, 'Steps'), graph),
    h('section', { 'aria-labelledby': 'console-title', class: 'console-section' },
      h('div', { class: 'head' }, h('h2', { id: 'console-title' }, 'Console'),
        h('label', { for: 'console-step' }, 'Step'), stepSelect),
      view.element));

  every(2000, signal, async () => {
    if (!final) await refresh();
  });
}
