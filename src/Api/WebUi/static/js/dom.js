// Tiny DOM helpers: every text goes in as a text node, never as HTML.

/** Creates an element: h('a', {href: '#/x', class: 'btn'}, 'text', child). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces the children of el. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

/** A status line that screen readers announce. */
export function statusLine() {
  return h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
}

/** Shows a message in a status line: kind 'ok' or 'error'. */
export function say(el, text, kind = 'ok') {
  el.textContent = text;
  el.dataset.kind = kind;
}

export function sleep(ms, signal) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
  });
}

/** Calls fn now and every ms until signal aborts; a slow call delays the next one rather than overlapping. */
export async function every(ms, signal, fn) {
  while (!signal.aborted) {
    try { await fn(); } catch (err) { if (!signal.aborted) console.warn(err); }
    await sleep(ms, signal);
  }
}
