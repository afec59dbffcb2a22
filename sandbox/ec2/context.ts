/** What every action handler gets, and the lookups/pagination they share. */
import { Ec2Error, invalidValue, notFound, type Kind } from './errors.js';
import { applyFilters, type FilterTable } from './filters.js';
import { filters, type Params, type TagInput } from './params.js';
import type { RegionState, Tags } from './state.js';
import type { Struct } from './xml.js';

export interface Ctx {
  p: Params;
  r: RegionState;
  action: string;
  now: number;
  nextSeq(): number;
  eniQuota: number;
  /** Eventual-consistency window for ids created by `action` (0 = visible at once). */
  notFoundWindowMs(action: string): number;
}

export type Handler = (ctx: Ctx) => Struct;

export function isVisible(ctx: Ctx, id: string): boolean {
  const until = ctx.r.hiddenUntil.get(id);
  if (until === undefined) return true;
  if (ctx.now >= until) {
    ctx.r.hiddenUntil.delete(id);
    return true;
  }
  return false;
}

/** Hides a newly created id from other actions for the window configured for the creating action. */
export function hideIfConfigured(ctx: Ctx, id: string): void {
  const ms = ctx.notFoundWindowMs(ctx.action);
  if (ms > 0) ctx.r.hiddenUntil.set(id, ctx.now + ms);
}

/** A visible resource by id, or its type's NotFound error. */
export function lookup<T>(ctx: Ctx, map: Map<string, T>, kind: Kind, id: string): T {
  const v = map.get(id);
  if (v === undefined || !isVisible(ctx, id)) throw notFound(kind, [id]);
  return v;
}

interface Item {
  seq: number;
  id: string;
  tags: Tags;
}

interface PageToken {
  a: string;
  s: number;
}

function encodeToken(t: PageToken): string {
  return Buffer.from(JSON.stringify(t)).toString('base64url');
}
function decodeToken(action: string, raw: string): PageToken {
  try {
    const t = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<PageToken>;
    if (t && t.a === action && typeof t.s === 'number') return { a: t.a, s: t.s };
  } catch {
    /* fall through */
  }
  throw new Ec2Error('InvalidPaginationToken', `The pagination token '${raw}' is invalid or expired.`);
}

export interface DescribeSpec<T extends Item> {
  all: Iterable<T>;
  /** explicit ids (`XId.N`); any unknown one fails the call with `kind`'s NotFound */
  ids: string[];
  kind: Kind;
  table: FilterTable<T>;
  /** MaxResults range; undefined = the action has no pagination */
  range?: [number, number];
  /** page size when MaxResults is absent (undefined = everything) */
  defaultPageSize?: number;
  /** MaxResults may not be combined with explicit ids (DescribeNetworkInterfaces) */
  idsExcludeMaxResults?: string;
}

/** Ids, filters (AND/OR, tags), visibility and real MaxResults/NextToken pagination in stable (creation) order. */
export function describe<T extends Item>(ctx: Ctx, spec: DescribeSpec<T>): { page: T[]; nextToken?: string } {
  const fs = filters(ctx.p);
  const maxResults = spec.range ? ctx.p.int('MaxResults') : undefined;
  const nextToken = spec.range ? ctx.p.str('NextToken') : undefined;
  if (spec.range && maxResults !== undefined && (maxResults < spec.range[0] || maxResults > spec.range[1])) {
    throw invalidValue(
      `Value ( ${maxResults} ) for parameter maxResults is invalid. Expecting a value between ${spec.range[0]} and ${spec.range[1]}.`,
    );
  }
  const ids = [...new Set(spec.ids)];
  if (spec.idsExcludeMaxResults && ids.length && maxResults !== undefined) {
    throw new Ec2Error(
      'InvalidParameterCombination',
      `The parameter ${spec.idsExcludeMaxResults} cannot be used with the parameter maxResults`,
    );
  }
  let items = [...spec.all].filter((i) => isVisible(ctx, i.id)).sort((a, b) => a.seq - b.seq);
  if (ids.length) {
    const byId = new Map(items.map((i) => [i.id, i]));
    const missing = ids.filter((id) => !byId.has(id));
    if (missing.length) throw notFound(spec.kind, missing);
    const wanted = new Set(ids);
    items = items.filter((i) => wanted.has(i.id));
  }
  items = applyFilters(items, fs, spec.table);
  if (nextToken !== undefined && nextToken !== '') {
    const t = decodeToken(ctx.action, nextToken);
    items = items.filter((i) => i.seq > t.s);
  }
  const size = maxResults ?? spec.defaultPageSize;
  if (size === undefined || items.length <= size) return { page: items };
  const page = items.slice(0, size);
  return { page, nextToken: encodeToken({ a: ctx.action, s: page[page.length - 1].seq }) };
}

export const MAX_TAGS = 50;

/** Tag keys/values as EC2 validates them (create-time tags and CreateTags). */
export function validateTags(tags: TagInput[]): void {
  const seen = new Set<string>();
  for (const t of tags) {
    if (t.key === '') throw invalidValue('Tag keys must not be empty');
    if (t.key.toLowerCase().startsWith('aws:'))
      throw invalidValue(`Tag key '${t.key}' is invalid: tag keys starting with 'aws:' are reserved for internal use`);
    if (t.key.length > 128) throw invalidValue(`Tag key exceeds the maximum length of 128 characters`);
    if (t.value.length > 256) throw invalidValue(`Tag value exceeds the maximum length of 256 characters`);
    if (seen.has(t.key)) throw invalidValue(`Duplicate tag key '${t.key}' specified`);
    seen.add(t.key);
  }
  if (tags.length > MAX_TAGS) throw tagLimit();
}

export function tagLimit(): Ec2Error {
  return new Ec2Error('TagLimitExceeded', `The maximum number of tags per resource (${MAX_TAGS}) has been exceeded.`);
}

export function tagMap(tags: TagInput[]): Tags {
  return new Map(tags.map((t) => [t.key, t.value]));
}
