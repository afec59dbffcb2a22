/**
 * EC2 Query request parameters. The form body is flat (`Filter.1.Value.2=x`); it is parsed by key, never
 * by position, into a tree whose numeric segments are the 1-based list indexes.
 */
import { Ec2Error, invalidValue, missing } from './errors.js';

export type PNode = string | PTree;
export interface PTree {
  [key: string]: PNode;
}

export class Params {
  readonly tree: PTree = {};
  readonly flat = new Map<string, string>();

  constructor(form: URLSearchParams) {
    for (const [key, value] of form) {
      this.flat.set(key, value);
      const parts = key.split('.');
      let node: PTree = this.tree;
      for (let i = 0; i < parts.length - 1; i++) {
        const next = node[parts[i]];
        if (typeof next === 'object') node = next;
        else {
          const t: PTree = {};
          node[parts[i]] = t;
          node = t;
        }
      }
      const last = parts[parts.length - 1];
      if (typeof node[last] !== 'object') node[last] = value;
    }
  }

  get action(): string | undefined {
    return this.flat.get('Action');
  }
  str(key: string): string | undefined {
    return str(this.tree, key);
  }
  required(key: string, wireName = key): string {
    const v = this.str(key);
    if (v === undefined || v === '') throw missing(wireName);
    return v;
  }
  bool(key: string): boolean {
    return bool(this.tree, key);
  }
  int(key: string): number | undefined {
    return int(this.tree, key);
  }
  strList(key: string): string[] {
    return strList(this.tree, key);
  }
  structs(key: string): PTree[] {
    return structs(this.tree, key);
  }
  has(prefix: string): boolean {
    for (const k of this.flat.keys()) if (k === prefix || k.startsWith(`${prefix}.`)) return true;
    return false;
  }
  /** A canonical string of every parameter except the listed ones (for ClientToken comparisons). */
  fingerprint(exclude: readonly string[]): string {
    return JSON.stringify(
      [...this.flat.entries()].filter(([k]) => !exclude.includes(k)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    );
  }
}

export function str(node: PTree, key: string): string | undefined {
  const v = node[key];
  return typeof v === 'string' ? v : undefined;
}

export function bool(node: PTree, key: string): boolean {
  const v = str(node, key);
  return v !== undefined && v.toLowerCase() === 'true';
}

export function int(node: PTree, key: string): number | undefined {
  const v = str(node, key);
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v.trim())) throw invalidValue(`Invalid value '${v}' for ${key}`);
  return Number(v);
}

function indexed(node: PTree, key: string): PNode[] {
  const v = node[key];
  if (typeof v !== 'object') return [];
  return Object.keys(v)
    .filter((k) => /^\d+$/.test(k))
    .sort((a, b) => Number(a) - Number(b))
    .map((k) => v[k]);
}

export function strList(node: PTree, key: string): string[] {
  return indexed(node, key).filter((v): v is string => typeof v === 'string');
}

export function structs(node: PTree, key: string): PTree[] {
  return indexed(node, key).filter((v): v is PTree => typeof v === 'object');
}

export interface Filter {
  name: string;
  values: string[];
}

/** `Filter.N.Name` / `Filter.N.Value.M`. */
export function filters(p: Params): Filter[] {
  return p.structs('Filter').map((f) => {
    const name = str(f, 'Name');
    if (name === undefined || name === '') throw new Ec2Error('InvalidParameterValue', "The filter 'null' is invalid");
    return { name, values: strList(f, 'Value') };
  });
}

export interface TagInput {
  key: string;
  value: string;
}

export function tagsOf(node: PTree, key = 'Tag'): TagInput[] {
  return structs(node, key).map((t) => {
    const k = str(t, 'Key');
    if (k === undefined) throw missing('Tag.Key');
    return { key: k, value: str(t, 'Value') ?? '' };
  });
}

/** `TagSpecification.N.ResourceType` / `.Tag.M.Key/Value`: tags for the one resource type allowed. */
export function tagSpecifications(p: Params, resourceType: string): TagInput[] {
  const out: TagInput[] = [];
  for (const spec of p.structs('TagSpecification')) {
    const type = str(spec, 'ResourceType');
    if (type === undefined || type === '') throw missing('TagSpecification.ResourceType');
    if (type !== resourceType)
      throw invalidValue(`'${type}' is not a valid taggable resource type for this operation.`);
    out.push(...tagsOf(spec));
  }
  return out;
}
