// Sign in: the API token, checked by reading the pool (a route that needs it), kept for this tab only.

import { call, token, ApiError } from '../api.js';
import { h, say, statusLine } from '../dom.js';

export function render(main, { notice }) {
  const input = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'current-password', required: true, spellcheck: 'false' });
  const status = statusLine();
  if (notice) say(status, notice, 'error');
  const form = h('form', { class: 'card narrow', 'aria-labelledby': 'signin-title' },
    h('h1', { id: 'signin-title' }, 'Sign in'),
    h('p', {}, 'Paste the API token: the file ', h('code', {}, '<root>/data/token'), ' on the server, or its ', h('code', {}, '--token_file'), '.'),
    h('label', { for: 'token' }, 'API token'),
    input,
    h('button', { type: 'submit' }, 'Sign in'),
    status);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const value = input.value.trim();
    say(status, 'Checking the token…');
    try {
      await call('GET', '/api/v1/pool', { tokenValue: value });
      token.set(value);
      location.hash = '#/tasks';
    } catch (err) {
      say(status, err instanceof ApiError && err.status === 401 ? `The server refused this token: ${err.message}` : err.message, 'error');
    }
  });
  main.append(form);
  input.focus();
}
