/**
 * EventBridge event pattern matching: exact values (OR within a list), nested objects, and the content
 * filters prefix, suffix, equals-ignore-case, anything-but, numeric, exists and wildcard.
 * An array in the event matches when any of its elements matches.
 */

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

function wildcardToRegExp(p: string): RegExp {
  return new RegExp(
    `^${p
      .split('*')
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
    's',
  );
}

function numericMatch(spec: unknown[], v: unknown): boolean {
  if (typeof v !== 'number') return false;
  for (let i = 0; i + 1 < spec.length; i += 2) {
    const op = spec[i];
    const n = Number(spec[i + 1]);
    const ok =
      op === '='
        ? v === n
        : op === '<'
          ? v < n
          : op === '<='
            ? v <= n
            : op === '>'
              ? v > n
              : op === '>='
                ? v >= n
                : false;
    if (!ok) return false;
  }
  return true;
}

function stringFilter(spec: unknown, v: unknown, kind: 'prefix' | 'suffix'): boolean {
  if (typeof v !== 'string') return false;
  if (typeof spec === 'string') return kind === 'prefix' ? v.startsWith(spec) : v.endsWith(spec);
  if (isObj(spec) && typeof spec['equals-ignore-case'] === 'string') {
    const s = spec['equals-ignore-case'].toLowerCase();
    return kind === 'prefix' ? v.toLowerCase().startsWith(s) : v.toLowerCase().endsWith(s);
  }
  return false;
}

/** One allowed value (or filter) against one scalar event value. */
function matchOne(allowed: unknown, v: unknown): boolean {
  if (allowed === null || typeof allowed !== 'object') {
    if (typeof allowed === 'number' && typeof v === 'number') return allowed === v;
    return allowed === v;
  }
  if (!isObj(allowed)) return false;
  if ('prefix' in allowed) return stringFilter(allowed.prefix, v, 'prefix');
  if ('suffix' in allowed) return stringFilter(allowed.suffix, v, 'suffix');
  if ('equals-ignore-case' in allowed)
    return (
      typeof v === 'string' &&
      typeof allowed['equals-ignore-case'] === 'string' &&
      v.toLowerCase() === allowed['equals-ignore-case'].toLowerCase()
    );
  if ('wildcard' in allowed)
    return typeof v === 'string' && typeof allowed.wildcard === 'string' && wildcardToRegExp(allowed.wildcard).test(v);
  if ('numeric' in allowed) return Array.isArray(allowed.numeric) && numericMatch(allowed.numeric, v);
  if ('anything-but' in allowed) {
    const ab = allowed['anything-but'];
    if (Array.isArray(ab)) return !ab.some((x) => matchOne(x, v));
    if (isObj(ab)) return !matchOne(ab, v);
    return !matchOne(ab, v);
  }
  return false;
}

function matchLeaf(allowedList: unknown[], present: boolean, value: unknown): boolean {
  for (const allowed of allowedList) {
    if (isObj(allowed) && 'exists' in allowed) {
      const want = allowed.exists === true;
      const has = present && !(Array.isArray(value) && value.length === 0) && !isObj(value);
      if (want === has) return true;
      continue;
    }
    if (!present) continue;
    const values = Array.isArray(value) ? value : [value];
    if (values.some((v) => matchOne(allowed, v))) return true;
  }
  return false;
}

export function matchesPattern(pattern: unknown, event: unknown): boolean {
  if (!isObj(pattern)) return false;
  const ev = isObj(event) ? event : {};
  for (const [key, spec] of Object.entries(pattern)) {
    if (key === '$or' && Array.isArray(spec)) {
      if (!spec.some((alt) => matchesPattern(alt, ev))) return false;
      continue;
    }
    const present = Object.hasOwn(ev, key);
    const value = ev[key];
    if (Array.isArray(spec)) {
      if (!matchLeaf(spec, present, value)) return false;
    } else if (isObj(spec)) {
      if (!matchesPattern(spec, isObj(value) ? value : {})) return false;
    } else {
      // A scalar where the pattern language wants an array: treat it as a one-value list.
      if (!matchLeaf([spec], present, value)) return false;
    }
  }
  return true;
}
