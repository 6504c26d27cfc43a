// The task's steps drawn as a graph: columns by depth in depends_on (a step sits right of everything it waits for).

import { describe } from './states.js';

const SVG = 'http://www.w3.org/2000/svg';
const BOX_W = 168;
const BOX_H = 48;
const GAP_X = 56;
const GAP_Y = 20;
const PAD = 8;

function s(tag, attrs = {}, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/**
 * Columns of the graph: a step's column is 1 + the largest column of its dependencies. Without any depends_on the
 * steps ran in order (a plain submit), so they are drawn as a chain.
 */
export function layout(steps) {
  const names = new Set(steps.map((st) => st.name));
  const chained = steps.every((st) => !(st.depends_on ?? []).some((d) => names.has(d)));
  const deps = new Map(steps.map((st, i) => [st.name,
    chained ? (i > 0 ? [steps[i - 1].name] : []) : (st.depends_on ?? []).filter((d) => names.has(d))]));
  const column = new Map();
  const visiting = new Set();
  const depth = (name) => {
    if (column.has(name)) return column.get(name);
    if (visiting.has(name)) return 0; // the server refuses cycles; never loop on one anyway
    visiting.add(name);
    const d = Math.max(-1, ...deps.get(name).map(depth)) + 1;
    column.set(name, d);
    return d;
  };
  steps.forEach((st) => depth(st.name));
  const rows = new Map();
  const place = new Map();
  for (const st of steps) {
    const c = column.get(st.name);
    const r = rows.get(c) ?? 0;
    rows.set(c, r + 1);
    place.set(st.name, { x: PAD + c * (BOX_W + GAP_X), y: PAD + r * (BOX_H + GAP_Y) });
  }
  const width = PAD * 2 + (Math.max(0, ...column.values()) + 1) * (BOX_W + GAP_X) - GAP_X;
  const height = PAD * 2 + Math.max(1, ...rows.values()) * (BOX_H + GAP_Y) - GAP_Y;
  return { deps, place, width, height };
}

/** An SVG of the steps; onSelect(name) when one is clicked or chosen with Enter/Space. */
export function drawDag(steps, selected, onSelect) {
  const { deps, place, width, height } = layout(steps);
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, width, height, class: 'dag', role: 'group', 'aria-label': 'Steps as a graph' });
  const defs = s('defs');
  const marker = s('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
  marker.append(s('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrow' }));
  defs.append(marker);
  svg.append(defs);
  for (const st of steps) {
    const to = place.get(st.name);
    for (const dep of deps.get(st.name)) {
      const from = place.get(dep);
      const x1 = from.x + BOX_W;
      const y1 = from.y + BOX_H / 2;
      const x2 = to.x;
      const y2 = to.y + BOX_H / 2;
      const mid = (x1 + x2) / 2;
      svg.append(s('path', { d: `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`, class: 'edge', 'marker-end': 'url(#arrow)' }));
    }
  }
  for (const st of steps) {
    const { x, y } = place.get(st.name);
    const state = describe(st.state, st.code);
    const g = s('g', {
      class: `node s-${state.cls}${st.name === selected ? ' selected' : ''}`, tabindex: 0, role: 'button',
      'aria-label': `Step ${st.name}: ${state.label}`, 'aria-pressed': st.name === selected, 'data-step': st.name,
    });
    g.append(s('rect', { x, y, width: BOX_W, height: BOX_H, rx: 6 }));
    g.append(s('text', { x: x + 10, y: y + 20, class: 'name' }, clip(st.name, 20)));
    g.append(s('text', { x: x + 10, y: y + 38, class: 'label' }, state.label));
    g.append(s('title', {}, `${st.name}: ${state.label}`));
    g.addEventListener('click', () => onSelect(st.name));
    g.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); onSelect(st.name); }
    });
    svg.append(g);
  }
  return svg;
}

const clip = (text, n) => (text.length > n ? `${text.slice(0, n - 1)}…` : text);
