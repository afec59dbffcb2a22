/**
 * Describe* filters: several filters AND, several values of one filter OR, `*`/`?` wildcards, `tag:<key>`,
 * `tag-key` and `tag-value`. An unknown filter name fails the call (real EC2 does too), it is never ignored.
 */
import { Ec2Error } from './errors.js';
import type { Filter } from './params.js';

export type FilterValue = string | number | boolean | undefined;
export type FilterTable<T> = Record<string, (r: T) => FilterValue | readonly FilterValue[]>;

function matcher(pattern: string): (s: string) => boolean {
  if (!/[*?]/.test(pattern)) return (s) => s === pattern;
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length) {
      re += pattern[++i].replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      continue;
    }
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  const rx = new RegExp(`^${re}$`, 's');
  return (s) => rx.test(s);
}

export function applyFilters<T extends { tags: Map<string, string> }>(
  items: T[],
  filters: Filter[],
  table: FilterTable<T>,
): T[] {
  const tests = filters.map((f) => {
    let get: (r: T) => FilterValue | readonly FilterValue[];
    if (f.name.startsWith('tag:')) {
      const key = f.name.slice(4);
      get = (r) => (r.tags.has(key) ? r.tags.get(key) : undefined);
    } else if (f.name === 'tag-key') get = (r) => [...r.tags.keys()];
    else if (f.name === 'tag-value') get = (r) => [...r.tags.values()];
    else {
      const g = table[f.name];
      if (!g) throw new Ec2Error('InvalidParameterValue', `The filter '${f.name}' is invalid`);
      get = g;
    }
    if (f.values.length === 0)
      throw new Ec2Error('InvalidParameterValue', `The filter '${f.name}' requires at least one value`);
    const ms = f.values.map(matcher);
    return (r: T): boolean => {
      const raw = get(r);
      const vals = (Array.isArray(raw) ? raw : [raw]) as FilterValue[];
      return vals.some((v) => v !== undefined && ms.some((m) => m(String(v))));
    };
  });
  return items.filter((r) => tests.every((t) => t(r)));
}
