// The web UI: a hash router over a few pages, each talking to the public API with the signed-in token.

import { token, whenUnauthorized } from './api.js';
import * as signin from './pages/signin.js';
import * as tasks from './pages/tasks.js';
import * as task from './pages/task.js';
import * as submit from './pages/submit.js';
import * as pool from './pages/pool.js';
import * as audit from './pages/audit.js';

const PAGES = { signin, tasks, task, submit, pool, audit };
const main = document.getElementById('main');
const nav = document.getElementById('nav');
let current = null;
let notice = '';

/** '#/task/abc?x=1' → {page: 'task', arg: 'abc', query: URLSearchParams}. */
function parse(hash) {
  const [path, search] = hash.replace(/^#\/?/, '').split('?');
  const [page, ...rest] = path.split('/');
  return { page: page || 'tasks', arg: rest.map(decodeURIComponent).join('/'), query: new URLSearchParams(search ?? '') };
}

function route() {
  current?.abort();
  current = new AbortController();
  let { page, arg, query } = parse(location.hash);
  if (!token.get() && page !== 'signin') page = 'signin';
  const module = PAGES[page] ?? tasks;
  nav.hidden = !token.get();
  for (const link of nav.querySelectorAll('a')) {
    if (link.dataset.page === page) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  main.replaceChildren();
  module.render(main, { arg, query, signal: current.signal, notice: consume() });
  document.title = `${main.querySelector('h1')?.textContent ?? 'RemoteExecutor'} · RemoteExecutor`;
}

function consume() {
  const text = notice;
  notice = '';
  return text;
}

whenUnauthorized((message) => {
  token.clear();
  notice = `Signed out: ${message || 'the server refused the token'}`;
  if (!location.hash.startsWith('#/signin')) location.hash = '#/signin';
  else route();
});

document.getElementById('signout').addEventListener('click', () => {
  token.clear();
  location.hash = '#/signin';
});

window.addEventListener('hashchange', route);
route();
