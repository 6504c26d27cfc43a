// A step's console: lines streamed live (SSE), a search that filters the lines shown, a download of every line.

import { h, replace, say, statusLine } from './dom.js';
import { followConsole } from './sse.js';
import { describe } from './states.js';

/** Lines kept on screen; the download has every line received. */
const SHOWN = 5000;

export class ConsoleView {
  /** node: the node whose run of a fan-out is shown (null for a plain task). */
  constructor(task, signal, node = null) {
    this.task = task;
    this.node = node;
    this.pageSignal = signal;
    this.lines = [];
    this.step = null;
    this.controller = null;
    this.pending = [];
    this.shown = 0;
    this.status = statusLine();
    this.search = h('input', { id: 'console-search', type: 'search', placeholder: 'Filter lines', 'aria-label': 'Search the console' });
    this.search.addEventListener('input', () => this.redraw());
    this.output = h('pre', { id: 'console', class: 'console', tabindex: 0, 'aria-label': 'Console output' });
    this.count = h('span', { class: 'count', id: 'console-count' });
    const download = h('button', { type: 'button', onclick: () => this.download() }, 'Download');
    download.setAttribute('aria-label', 'Download the console');
    this.element = h('div', { class: 'console-view' },
      h('div', { class: 'tools' }, this.search, download, this.count),
      this.status,
      this.output);
  }

  /** Follows another step (a fresh stream from its first line). */
  show(step) {
    if (this.step === step.name) return;
    this.controller?.abort();
    this.controller = new AbortController();
    this.pageSignal.addEventListener('abort', () => this.controller.abort(), { once: true });
    this.step = step.name;
    this.lines = [];
    this.redraw();
    say(this.status, `Step ${step.name}: ${describe(step.state, step.code).label}, following…`);
    const signal = this.controller.signal;
    followConsole(this.task, step.name, {
      signal,
      node: this.node,
      onLine: (line) => this.add(line),
      onEnd: (end) => say(this.status, `Step ${step.name} ended: ${describe(end.state, end.code).label}${end.msg ? ` (${end.msg})` : ''}`),
      onError: (err) => say(this.status, `Console of ${step.name}: ${err.message}; retrying…`, 'error'),
    });
  }

  /** Nothing to follow yet: says why instead (a fan-out's console is one node's). */
  hint(text) {
    say(this.status, text);
  }

  add(line) {
    this.lines.push(line);
    this.pending.push(line);
    if (this.pending.length === 1) requestAnimationFrame(() => this.flush());
  }

  flush() {
    const filter = this.search.value;
    const text = this.pending.filter((l) => !filter || l.content.includes(filter)).map((l) => `${l.content}\n`).join('');
    this.shown += this.pending.filter((l) => !filter || l.content.includes(filter)).length;
    this.pending = [];
    if (this.shown > SHOWN * 1.2) {
      this.redraw();
      this.output.scrollTop = this.output.scrollHeight;
      return;
    }
    if (text) {
      const atBottom = this.output.scrollTop + this.output.clientHeight >= this.output.scrollHeight - 4;
      this.output.append(document.createTextNode(text));
      if (atBottom) this.output.scrollTop = this.output.scrollHeight;
    }
    this.counted();
  }

  redraw() {
    this.pending = [];
    const filter = this.search.value;
    const shown = this.lines.filter((l) => !filter || l.content.includes(filter)).slice(-SHOWN);
    this.shown = shown.length;
    replace(this.output, shown.map((l) => `${l.content}\n`).join(''));
    this.counted();
  }

  counted() {
    const filter = this.search.value;
    const n = filter ? this.lines.filter((l) => l.content.includes(filter)).length : this.lines.length;
    this.count.textContent = filter ? `${n} of ${this.lines.length} lines match` : `${this.lines.length} lines`;
  }

  download() {
    const blob = new Blob(this.lines.map((l) => `${l.content}\n`), { type: 'text/plain;charset=utf-8' });
    const url = URL.createObjectURL(blob);
    const a = h('a', { href: url, download: `${this.task}${this.node ? `@${this.node}` : ''}-${this.step ?? 'console'}.log` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}
