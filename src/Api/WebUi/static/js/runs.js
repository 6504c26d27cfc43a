// A fan-out's runs: one row per target node (state, code, message, times), and the choice of the node whose step
// graph and console the task page shows (#/task/<id>?node=<node>; no node: the steps summed up over all nodes).

import { enc } from './api.js';
import { h, replace } from './dom.js';
import { describe } from './states.js';

/** The task page's address, of one node's run or (node empty) of the whole fan-out. */
export const taskHref = (id, node) => `#/task/${enc(id)}${node ? `?node=${enc(node)}` : ''}`;

export class RunsView {
  constructor(id, node) {
    this.id = id;
    this.node = node;
    this.drawn = '';
    this.body = h('tbody');
    this.select = h('select', { id: 'task-node' });
    this.select.addEventListener('change', () => { location.hash = taskHref(id, this.select.value); });
    this.element = h('section', { 'aria-labelledby': 'runs-title', hidden: true },
      h('div', { class: 'head' }, h('h2', { id: 'runs-title' }, 'Nodes'),
        h('label', { for: 'task-node' }, 'Node'), this.select),
      h('div', { class: 'scroll' }, h('table', { class: 'runs', 'aria-label': 'Runs by node' },
        h('thead', {}, h('tr', {}, ['Node', 'State', 'Code', 'Message', 'Started', 'Ended'].map((c) => h('th', { scope: 'col' }, c)))),
        this.body)));
  }

  /** Shows the runs of the fan-out's detail (redrawn only when they changed). */
  show(runs) {
    this.element.hidden = false;
    const key = JSON.stringify(runs);
    if (key === this.drawn) return;
    this.drawn = key;
    replace(this.body, runs.map((r) => this.row(r)));
    if (this.select.options.length !== runs.length + 1) {
      replace(this.select, h('option', { value: '' }, 'All nodes (summary)'), runs.map((r) => h('option', { value: r.node }, r.node)));
    }
    this.select.value = this.node ?? '';
  }

  row(run) {
    // A run can fail with code 0 (a step lost with its node): its result says so.
    const state = run.state === 0 && run.result === 1002 && run.code === 0 ? { label: 'Failed', cls: 'failed' } : describe(run.state, run.code);
    const chosen = run.node === this.node;
    return h('tr', { class: chosen ? 'chosen' : '' },
      h('th', { scope: 'row' }, h('a', { href: taskHref(this.id, run.node), 'aria-current': chosen ? 'true' : undefined }, run.node)),
      h('td', {}, h('span', { class: `badge s-${state.cls}` }, state.label)),
      h('td', { class: 'num' }, run.code),
      h('td', { class: 'msg' }, run.msg),
      h('td', {}, run.start_time),
      h('td', {}, run.end_time));
  }
}
