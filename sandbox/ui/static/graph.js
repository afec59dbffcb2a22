// The execution graph: the machine's states laid out by dagre (compound graph: Parallel branches and Map iterators
// are clusters), drawn as SVG once per definition; each poll only updates the states' classes and badges.
import dagre from '@dagrejs/dagre';
import { endNode } from './asl.js';

const SVG = 'http://www.w3.org/2000/svg';
const FONT = '13px system-ui, sans-serif';
let measurer;

function textWidth(text) {
  measurer ??= document.createElement('canvas').getContext('2d');
  measurer.font = FONT;
  return measurer.measureText(text).width;
}

function el(name, attrs = {}, parent) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  parent?.appendChild(node);
  return node;
}

/** Lays the machine out; returns dagre's graph (nodes with x/y/width/height, edges with points). */
function layout(machine) {
  const g = new dagre.graphlib.Graph({ compound: true, multigraph: true });
  g.setGraph({ rankdir: 'TB', nodesep: 22, ranksep: 34, edgesep: 12, marginx: 12, marginy: 12 });
  g.setDefaultEdgeLabel(() => ({}));
  const isBlock = (info) => info.type === 'Parallel' || info.type === 'Map';
  for (const [name, info] of machine.states) {
    g.setNode(name, { label: name, width: Math.max(96, textWidth(name) + 28), height: 40, kind: info.type });
    if (isBlock(info)) {
      g.setNode(`cluster:${name}`, { cluster: true });
      g.setNode(endNode(name), { width: 14, height: 14, kind: 'join' });
    }
  }
  // A block's own node and join sit inside its cluster; its cluster (or a plain state) inside the enclosing block's.
  for (const [name, info] of machine.states) {
    const outer = info.parent ? `cluster:${info.parent}` : undefined;
    if (isBlock(info)) {
      g.setParent(name, `cluster:${name}`);
      g.setParent(endNode(name), `cluster:${name}`);
      if (outer) g.setParent(`cluster:${name}`, outer);
    } else if (outer) g.setParent(name, outer);
  }
  machine.edges.forEach((e, i) => {
    const label = e.label ? { width: Math.min(220, textWidth(e.label) * 0.85 + 8), height: 14, labelpos: 'c' } : {};
    g.setEdge(e.from, e.to, { ...label, kind: e.kind, text: e.label ?? '' }, `e${i}`);
  });
  dagre.layout(g);
  return g;
}

function pathOf(points) {
  return points.map((p, i) => `${i ? 'L' : 'M'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
}

/**
 * Draws `machine` into `host` (replacing what was there). Every state is a `<g class="state" data-state=NAME>`.
 * @returns {{ update: (runs: Map<string, import('./history.js').StateRun>) => void }}
 */
export function drawGraph(host, machine, { onStateClick } = {}) {
  const g = layout(machine);
  const { width, height } = g.graph();
  const svg = el('svg', {
    class: 'graph',
    viewBox: `0 0 ${Math.ceil(width)} ${Math.ceil(height)}`,
    width: Math.ceil(width),
    height: Math.ceil(height),
    role: 'img',
    'aria-label': 'execution graph',
  });
  const defs = el('defs', {}, svg);
  for (const kind of ['next', 'catch']) {
    const marker = el(
      'marker',
      {
        id: `arrow-${kind}`,
        viewBox: '0 0 10 10',
        refX: 9,
        refY: 5,
        markerWidth: 7,
        markerHeight: 7,
        orient: 'auto-start-reverse',
      },
      defs,
    );
    el('path', { d: 'M0,0 L10,5 L0,10 z', class: `arrow arrow-${kind}` }, marker);
  }
  const clusters = el('g', { class: 'clusters' }, svg);
  const edges = el('g', { class: 'edges' }, svg);
  const nodes = el('g', { class: 'nodes' }, svg);

  for (const id of g.nodes()) {
    const n = g.node(id);
    if (!n.cluster) continue;
    const name = id.slice('cluster:'.length);
    const box = el('g', { class: `cluster cluster-${machine.states.get(name)?.type.toLowerCase()}` }, clusters);
    el('rect', { x: n.x - n.width / 2, y: n.y - n.height / 2, width: n.width, height: n.height, rx: 10 }, box);
  }
  for (const e of g.edges()) {
    const edge = g.edge(e);
    const kind = edge.kind === 'catch' ? 'catch' : 'next';
    el('path', { d: pathOf(edge.points), class: `edge edge-${edge.kind}`, 'marker-end': `url(#arrow-${kind})` }, edges);
    if (edge.text) {
      const t = el(
        'text',
        { x: edge.x, y: edge.y + 4, class: `edge-label edge-label-${edge.kind}`, 'text-anchor': 'middle' },
        edges,
      );
      t.textContent = edge.text.length > 34 ? `${edge.text.slice(0, 33)}…` : edge.text;
      const title = el('title', {}, t);
      title.textContent = edge.text;
    }
  }
  /** @type {Map<string, { group: SVGGElement, badge: SVGTextElement }>} */
  const drawn = new Map();
  for (const [name, info] of machine.states) {
    const n = g.node(name);
    const group = el(
      'g',
      {
        class: `state state-${info.type.toLowerCase()} st-notrun`,
        'data-state': name,
        'data-status': 'notrun',
        transform: `translate(${n.x - n.width / 2},${n.y - n.height / 2})`,
      },
      nodes,
    );
    el('rect', { width: n.width, height: n.height, rx: info.type === 'Choice' ? 18 : 6 }, group);
    const label = el(
      'text',
      { x: n.width / 2, y: n.height / 2 + 4, 'text-anchor': 'middle', class: 'state-name' },
      group,
    );
    label.textContent = name;
    const badge = el('text', { x: n.width - 4, y: -4, 'text-anchor': 'end', class: 'state-badge' }, group);
    const title = el('title', {}, group);
    title.textContent = `${name} (${info.type})`;
    group.addEventListener('click', () => onStateClick?.(name));
    drawn.set(name, { group, badge, title });
  }
  for (const id of g.nodes()) {
    const n = g.node(id);
    if (n.kind === 'join') el('circle', { cx: n.x, cy: n.y, r: 5, class: 'join' }, nodes);
  }
  host.replaceChildren(svg);

  return {
    update(runs) {
      for (const [name, { group, badge, title }] of drawn) {
        const r = runs.get(name);
        const status = r?.status ?? 'notrun';
        group.setAttribute('class', `state state-${machine.states.get(name).type.toLowerCase()} st-${status}`);
        group.setAttribute('data-status', status);
        const parts = [];
        if (r?.iterations)
          parts.push(
            `${r.iterations.succeeded}/${r.iterations.started} it.${r.iterations.failed ? ` ${r.iterations.failed} failed` : ''}`,
          );
        else if (r && r.entered > 1) parts.push(`×${r.entered}`);
        if (r?.retries) parts.push(`↻${r.retries}`);
        if (r?.caught) parts.push(`caught${r.caught > 1 ? ` ×${r.caught}` : ''}`);
        badge.textContent = parts.join('  ');
        group.setAttribute('data-retries', String(r?.retries ?? 0));
        title.textContent = `${name}: ${status}${r ? ` (entered ${r.entered}, exited ${r.exited}, retries ${r.retries}, caught ${r.caught})` : ''}`;
      }
    },
  };
}
