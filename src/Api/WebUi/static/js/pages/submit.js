// Submit a task: the v2 body as JSON or YAML, sent with the matching Content-Type; the answer opens the task.

import { call } from '../api.js';
import { h, say, statusLine } from '../dom.js';

const EXAMPLES = {
  yaml: `id: hello
async: true
step:
  - name: greet
    command_type: bash
    command_content: |
      for i in 1 2 3; do echo "hello $i from $TASK_ID"; sleep 1; done
  - name: done
    command_type: bash
    depends_on: [greet]
    command_content: echo done
`,
  json: `{
  "id": "hello",
  "async": true,
  "step": [
    { "name": "greet", "command_type": "bash", "command_content": "for i in 1 2 3; do echo \\"hello $i\\"; sleep 1; done" },
    { "name": "done", "command_type": "bash", "depends_on": ["greet"], "command_content": "echo done" }
  ]
}
`,
};

const TYPES = { yaml: 'application/yaml', json: 'application/json' };

export function render(main) {
  const format = h('select', { id: 'format', name: 'format' },
    h('option', { value: 'yaml' }, 'YAML'), h('option', { value: 'json' }, 'JSON'));
  const body = h('textarea', { id: 'body', name: 'body', rows: 18, spellcheck: 'false', required: true });
  body.value = EXAMPLES.yaml;
  const status = statusLine();
  format.addEventListener('change', () => {
    // Swap the example only while the user has not written their own task.
    if (Object.values(EXAMPLES).includes(body.value)) body.value = EXAMPLES[format.value];
  });
  const form = h('form', { class: 'card', 'aria-labelledby': 'submit-title' },
    h('h1', { id: 'submit-title' }, 'Submit a task'),
    h('p', {}, 'The body of ', h('code', {}, 'POST /api/v2/task'), ': the same fields as a task file (schema: ',
      h('a', { href: '/schema/task.json' }, '/schema/task.json'), ').'),
    h('div', { class: 'row' }, h('label', { for: 'format' }, 'Format'), format),
    h('label', { for: 'body' }, 'Task body'),
    body,
    h('button', { type: 'submit' }, 'Submit task'),
    status);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    say(status, 'Submitting…');
    try {
      const { envelope } = await call('POST', '/api/v2/task', { body: body.value, contentType: TYPES[format.value] });
      location.hash = `#/task/${encodeURIComponent(envelope.data.id)}`;
    } catch (err) {
      say(status, `Refused: ${err.message}`, 'error');
    }
  });
  main.append(form);
}
