/** List requests of the Confluent emulator: allowed filters, filter values, page_size / page_token, the list body. */
import { badParameter } from './errors.js';
import { API_VERSION } from './render.js';
import type { Json } from './validate.js';

export const GATEWAY_LIST_PARAMS = [
  'environment',
  'page_size',
  'page_token',
  'gateway_type',
  'id',
  'spec.display_name',
  'status.phase',
  'spec.config.region',
];
export const ACCESS_POINT_LIST_PARAMS = [
  'environment',
  'page_size',
  'page_token',
  'spec.display_name',
  'spec.gateway',
  'id',
];

/** Values of a filter: repeated parameters (explode) and comma-separated values both work. */
export function filterValues(query: URLSearchParams, name: string): string[] | undefined {
  const raw = query.getAll(name);
  if (raw.length === 0) return undefined;
  return raw
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

export function checkListParams(query: URLSearchParams, allowed: string[], resource: string): void {
  for (const key of query.keys()) {
    if (!allowed.includes(key)) {
      throw badParameter(
        'invalid_filter',
        'Invalid Filter',
        `The '${resource}' resource can't be filtered by '${key}'`,
        key,
      );
    }
  }
}

export function pageParams(query: URLSearchParams, defaultSize: number): { size: number; offset: number } {
  let size = defaultSize;
  const rawSize = query.get('page_size');
  if (rawSize !== null) {
    if (!/^\d+$/.test(rawSize) || Number(rawSize) < 1 || Number(rawSize) > 100) {
      throw badParameter(
        'invalid_page_size',
        'Invalid Page Size',
        'page_size must be an integer between 1 and 100',
        'page_size',
      );
    }
    size = Number(rawSize);
  }
  let offset = 0;
  const token = query.get('page_token');
  if (token !== null && token !== '') {
    const decoded = token.length <= 255 ? Buffer.from(token, 'base64url').toString('utf8') : '';
    const m = /^o=(\d+)$/.exec(decoded);
    if (!m)
      throw badParameter('invalid_page_token', 'Invalid Page Token', 'page_token is invalid or expired', 'page_token');
    offset = Number(m[1]);
  }
  return { size, offset };
}

/** One page of `items` with `metadata.first`, `total_size` and (when there is more) `next`. */
export function listBody(
  kind: 'GatewayList' | 'AccessPointList',
  url: (pathAndQuery: string) => string,
  path: string,
  query: URLSearchParams,
  items: Json[],
  defaultSize: number,
): Json {
  const { size, offset } = pageParams(query, defaultSize);
  const page = items.slice(offset, offset + size);
  const linkParams = new URLSearchParams();
  for (const [k, v] of query) if (k !== 'page_token') linkParams.append(k, v);
  const link = (params: URLSearchParams): string => url(`${path}?${params.toString()}`);
  const metadata: Json = { first: link(linkParams), total_size: items.length };
  if (offset + size < items.length) {
    const next = new URLSearchParams(linkParams);
    next.set('page_token', Buffer.from(`o=${offset + size}`, 'utf8').toString('base64url'));
    metadata.next = link(next);
  }
  return { api_version: API_VERSION, kind, metadata, data: page };
}
