// Tiny DOM helpers: h('div.card', { title: 'x' }, child, 'text', ...)

export function h(spec, attrs = {}, ...children) {
  const [tag, ...classes] = spec.split('.');
  const node = document.createElement(tag || 'div');
  if (classes.length) node.className = classes.join(' ');
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat())
    if (c !== undefined && c !== null && c !== false) node.append(c instanceof Node ? c : String(c));
  return node;
}

export function tagValue(resource, key) {
  return (resource.TagSet ?? resource.Tags ?? []).find((t) => t.Key === key)?.Value;
}

/** "1.9 s", "2 min 3 s" from two dates (ISO strings or epoch seconds). */
export function duration(start, stop) {
  const toMs = (v) => (typeof v === 'number' ? v * 1000 : Date.parse(v));
  if (start === undefined || stop === undefined) return '';
  const ms = toMs(stop) - toMs(start);
  if (!Number.isFinite(ms) || ms < 0) return '';
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function time(v) {
  const d = typeof v === 'number' ? new Date(v * 1000) : new Date(v);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleTimeString([], { hour12: false });
}

export function pill(status) {
  return h(`span.pill.pill-${String(status).toLowerCase()}`, {}, status);
}
