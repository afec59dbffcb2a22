/**
 * JSONPath reading shared by the sandbox's emulators: Step Functions (SecondsPath, TimestampPath, ...) and
 * EventBridge (InputPathsMap, InputPath).
 */
/** A minimal JSONPath reader for `$.a.b[0]['c']` style paths (what SecondsPath / InputPathsMap use). */
export function readPath(root: unknown, path: string): { found: boolean; value?: unknown } {
  if (path === '$') return { found: true, value: root };
  if (!path.startsWith('$')) return { found: false };
  const tokens: (string | number)[] = [];
  const re = /\.([^.[\]]+)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]/gy;
  re.lastIndex = 1;
  while (re.lastIndex < path.length) {
    const m = re.exec(path);
    if (!m) return { found: false };
    if (m[1] !== undefined) tokens.push(m[1]);
    else if (m[2] !== undefined) tokens.push(Number(m[2]));
    else tokens.push(m[3] ?? m[4]);
  }
  let cur: unknown = root;
  for (const t of tokens) {
    if (cur === null || typeof cur !== 'object') return { found: false };
    if (typeof t === 'number') {
      if (!Array.isArray(cur) || t >= cur.length) return { found: false };
      cur = cur[t];
    } else {
      if (!Object.hasOwn(cur, t)) return { found: false };
      cur = (cur as Record<string, unknown>)[t];
    }
  }
  return { found: true, value: cur };
}
