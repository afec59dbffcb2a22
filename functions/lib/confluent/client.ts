/**
 * Typed client for the Confluent Cloud networking/v1 API (PNI gateways and access points).
 *
 * Reference: shared/reference/confluent-networking-api.md, sections 1-4 and 9.
 * - HTTP Basic auth with the Cloud API key and secret, JSON in and out.
 * - GET/DELETE carry `environment` in the query; POST/PATCH carry it in `spec.environment.id`.
 * - 429 waits Retry-After (else X-RateLimit-Reset, relative seconds; else backoff); 5xx except 501 and
 *   network failures/timeouts back off exponentially with full jitter; both bounded by maxAttempts, then
 *   ConfluentTransientError. 403 is a ConfluentAccessDenied on every call (the key lacks a role; the object may
 *   still exist, so it is never taken as gone). Every other non-2xx answer is a ConfluentRequestFailed, except on
 *   reads and deletes of one object, where 404 means the object is gone.
 * - Lists follow metadata.next until it is missing or empty.
 *
 * There is no idempotency key in the API: a POST retried after a 5xx or a network failure may create a
 * duplicate. Callers give creates unique display names and look them up after a failure.
 */
import { ConfluentAccessDenied, ConfluentRequestFailed, ConfluentTransientError } from '../errors.js';
import {
  PNI_ACCESS_POINT_KIND,
  PNI_GATEWAY_SPEC_KIND,
  PNI_GATEWAY_STATUS_KIND,
  type AccessPoint,
  type AccessPointList,
  type AwsPrivateNetworkInterface,
  type AwsPrivateNetworkInterfaceGatewaySpec,
  type Gateway,
  type GatewayList,
  type PniAccessPointCreateRequest,
  type PniAccessPointUpdateRequest,
  type PniGatewayCreateRequest,
} from './types.js';

export interface ConfluentCredentials {
  key: string;
  secret: string;
}

export interface ConfluentRetryInfo {
  method: string;
  path: string;
  /** HTTP status of the failed attempt; absent for network errors and timeouts. */
  status?: number;
  /** 1-based number of the attempt that failed. */
  attempt: number;
  delayMs: number;
}

export interface ConfluentClientOptions {
  /** e.g. https://api.confluent.cloud or http://127.0.0.1:4566 (a path prefix is kept). */
  baseUrl: string;
  /** Resolved before every attempt (the caller caches). */
  credentials: () => Promise<ConfluentCredentials>;
  /** Total attempts for 429/5xx/network errors, default 3. */
  maxAttempts?: number;
  /** Cap on one wait (Retry-After or backoff), default 20000. */
  maxRetryDelayMs?: number;
  /** Exponential backoff base with full jitter, default 500. */
  baseDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Per attempt, default 30000 (AbortSignal.timeout). */
  timeoutMs?: number;
  onRetry?: (info: ConfluentRetryInfo) => void;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
type Query = Array<[string, string]>;

interface SendOptions {
  query?: Query;
  body?: unknown;
  /** 404 resolves to `gone` instead of throwing (403 never does: access denied says nothing about existence). */
  goneOnNotFound?: boolean;
  /** Parse the 2xx body as JSON (otherwise it is read and dropped). */
  expectJson?: boolean;
}

type SendResult = { gone: true; status: number } | { gone: false; status: number; body: unknown };

const GATEWAYS = '/networking/v1/gateways';
const ACCESS_POINTS = '/networking/v1/access-points';
const PAGE_SIZE = '100';
/** 100 pages of 100 is far beyond the quotas; more means the server is looping. */
const MAX_PAGES = 1000;
const MAX_DETAIL_CHARS = 1000;

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class ConfluentClient {
  private readonly baseUrl: string;
  private readonly credentials: () => Promise<ConfluentCredentials>;
  private readonly maxAttempts: number;
  private readonly maxRetryDelayMs: number;
  private readonly baseDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly timeoutMs: number;
  private readonly onRetry?: (info: ConfluentRetryInfo) => void;

  constructor(opts: ConfluentClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.credentials = opts.credentials;
    this.maxAttempts = Math.max(1, Math.floor(opts.maxAttempts ?? 3));
    this.maxRetryDelayMs = Math.max(0, opts.maxRetryDelayMs ?? 20000);
    this.baseDelayMs = Math.max(0, opts.baseDelayMs ?? 500);
    this.sleep = opts.sleep ?? defaultSleep;
    this.timeoutMs = opts.timeoutMs ?? 30000;
    this.onRetry = opts.onRetry;
  }

  // -------------------------------------------------------------------------------------------
  // Gateways

  /** Every gateway of the environment matching the filter, across all pages. */
  async listGateways(
    environmentId: string,
    filter: { displayName?: string; gatewayType?: string; id?: string } = {},
  ): Promise<Gateway[]> {
    const query: Query = [['environment', environmentId]];
    if (filter.gatewayType !== undefined) query.push(['gateway_type', filter.gatewayType]);
    if (filter.id !== undefined) query.push(['id', filter.id]);
    if (filter.displayName !== undefined) query.push(['spec.display_name', filter.displayName]);
    const all = await this.listAll<Gateway>(GATEWAYS, query);
    // The server filters already; filtering again guards against a backend that ignores a filter.
    return all.filter(
      (g) =>
        (filter.id === undefined || g.id === filter.id) &&
        (filter.displayName === undefined || g.spec?.display_name === filter.displayName) &&
        (filter.gatewayType === undefined ||
          g.spec?.config?.kind === undefined ||
          g.spec.config.kind === `${filter.gatewayType}GatewaySpec`),
    );
  }

  /** The gateway, or undefined when it is gone (404). */
  async getGateway(environmentId: string, id: string): Promise<Gateway | undefined> {
    const res = await this.send('GET', `${GATEWAYS}/${encodeURIComponent(id)}`, {
      query: [['environment', environmentId]],
      goneOnNotFound: true,
      expectJson: true,
    });
    if (res.gone) return undefined;
    return this.asObject<Gateway>('GET', GATEWAYS, res);
  }

  /** POST a PNI gateway (202). Not idempotent: see the module comment. */
  async createGateway(input: {
    environmentId: string;
    displayName: string;
    region: string;
    zones: string[];
  }): Promise<Gateway> {
    const body: PniGatewayCreateRequest = {
      spec: {
        display_name: input.displayName,
        environment: { id: input.environmentId },
        config: { kind: PNI_GATEWAY_SPEC_KIND, region: input.region, zones: [...input.zones] },
      },
    };
    const res = await this.send('POST', GATEWAYS, { body, expectJson: true });
    return this.asObject<Gateway>('POST', GATEWAYS, res);
  }

  /** 204 -> 'deleting' (deletion is asynchronous); 'gone' when it no longer exists. */
  async deleteGateway(environmentId: string, id: string): Promise<'deleting' | 'gone'> {
    const res = await this.send('DELETE', `${GATEWAYS}/${encodeURIComponent(id)}`, {
      query: [['environment', environmentId]],
      goneOnNotFound: true,
    });
    return res.gone ? 'gone' : 'deleting';
  }

  // -------------------------------------------------------------------------------------------
  // Access points

  /** Every access point of the environment matching the filter, across all pages. */
  async listAccessPoints(
    environmentId: string,
    filter: { gatewayId?: string; displayName?: string } = {},
  ): Promise<AccessPoint[]> {
    const query: Query = [['environment', environmentId]];
    if (filter.displayName !== undefined) query.push(['spec.display_name', filter.displayName]);
    if (filter.gatewayId !== undefined) query.push(['spec.gateway', filter.gatewayId]);
    const all = await this.listAll<AccessPoint>(ACCESS_POINTS, query);
    return all.filter(
      (ap) =>
        (filter.displayName === undefined || ap.spec?.display_name === filter.displayName) &&
        (filter.gatewayId === undefined || ap.spec?.gateway?.id === filter.gatewayId),
    );
  }

  /** The access point, or undefined when it is gone (404). */
  async getAccessPoint(environmentId: string, id: string): Promise<AccessPoint | undefined> {
    const res = await this.send('GET', `${ACCESS_POINTS}/${encodeURIComponent(id)}`, {
      query: [['environment', environmentId]],
      goneOnNotFound: true,
      expectJson: true,
    });
    if (res.gone) return undefined;
    return this.asObject<AccessPoint>('GET', ACCESS_POINTS, res);
  }

  /** POST a PNI access point (202). Not idempotent: see the module comment. */
  async createAccessPoint(input: {
    environmentId: string;
    gatewayId: string;
    displayName: string;
    networkInterfaces: string[];
    account: string;
    egressRoutes: string[];
  }): Promise<AccessPoint> {
    const body: PniAccessPointCreateRequest = {
      spec: {
        display_name: input.displayName,
        environment: { id: input.environmentId },
        gateway: { id: input.gatewayId },
        config: {
          kind: PNI_ACCESS_POINT_KIND,
          network_interfaces: [...input.networkInterfaces],
          account: input.account,
          egress_routes: [...input.egressRoutes],
        },
      },
    };
    const res = await this.send('POST', ACCESS_POINTS, { body, expectJson: true });
    return this.asObject<AccessPoint>('POST', ACCESS_POINTS, res);
  }

  /** PATCH only what is given; lists replace the current ones whole. A missing object is a ConfluentRequestFailed(404). */
  async updateAccessPoint(
    environmentId: string,
    id: string,
    patch: { displayName?: string; egressRoutes?: string[]; networkInterfaces?: string[] },
  ): Promise<AccessPoint> {
    const body: PniAccessPointUpdateRequest = { spec: { environment: { id: environmentId } } };
    if (patch.displayName !== undefined) body.spec.display_name = patch.displayName;
    if (patch.egressRoutes !== undefined || patch.networkInterfaces !== undefined) {
      body.spec.config = { kind: PNI_ACCESS_POINT_KIND };
      if (patch.egressRoutes !== undefined) body.spec.config.egress_routes = [...patch.egressRoutes];
      if (patch.networkInterfaces !== undefined) body.spec.config.network_interfaces = [...patch.networkInterfaces];
    }
    const path = `${ACCESS_POINTS}/${encodeURIComponent(id)}`;
    const res = await this.send('PATCH', path, { body, expectJson: true });
    return this.asObject<AccessPoint>('PATCH', path, res);
  }

  /** 204 -> 'deleting' (deletion is asynchronous); 'gone' when it no longer exists. */
  async deleteAccessPoint(environmentId: string, id: string): Promise<'deleting' | 'gone'> {
    const res = await this.send('DELETE', `${ACCESS_POINTS}/${encodeURIComponent(id)}`, {
      query: [['environment', environmentId]],
      goneOnNotFound: true,
    });
    return res.gone ? 'gone' : 'deleting';
  }

  // -------------------------------------------------------------------------------------------
  // Plumbing

  private async listAll<T>(path: string, baseQuery: Query): Promise<T[]> {
    const items: T[] = [];
    const seen = new Set<string>();
    let token: string | undefined;
    for (let page = 1; ; page++) {
      const query: Query = [...baseQuery, ['page_size', PAGE_SIZE]];
      if (token !== undefined) query.push(['page_token', token]);
      const res = await this.send('GET', path, { query, expectJson: true });
      if (res.gone) throw new Error('unreachable: list reads never resolve to gone');
      const list = res.body as Partial<GatewayList | AccessPointList> | null;
      if (list === null || typeof list !== 'object' || !Array.isArray(list.data)) {
        throw this.badBody('GET', path, res.status, 'no data array');
      }
      items.push(...(list.data as T[]));
      const next = list.metadata?.next;
      if (typeof next !== 'string' || next.trim() === '') return items;
      token = this.pageToken(next);
      if (token === undefined) {
        throw this.badBody('GET', path, res.status, `metadata.next has no page_token: ${truncate(next, 200)}`);
      }
      if (seen.has(token)) {
        throw this.badBody('GET', path, res.status, `metadata.next repeats page_token ${truncate(token, 80)}`);
      }
      if (page >= MAX_PAGES) {
        throw this.badBody('GET', path, res.status, `more than ${MAX_PAGES} pages`);
      }
      seen.add(token);
    }
  }

  private pageToken(next: string): string | undefined {
    let url: URL;
    try {
      url = new URL(next, `${this.baseUrl}/`);
    } catch {
      return undefined;
    }
    const token = url.searchParams.get('page_token');
    return token === null || token === '' ? undefined : token;
  }

  private asObject<T extends { id: string }>(method: Method, path: string, res: SendResult): T {
    if (res.gone) throw new Error('unreachable: asObject on a gone result');
    const body = res.body as Partial<T> | null;
    if (body === null || typeof body !== 'object' || typeof body.id !== 'string' || body.id === '') {
      throw this.badBody(method, path, res.status, 'no object id');
    }
    return body as T;
  }

  /** A 2xx answer we cannot use: most likely a proxy or a server glitch, so transient (not retried here). */
  private badBody(method: Method, path: string, status: number, why: string): ConfluentTransientError {
    return new ConfluentTransientError(
      status,
      `Confluent ${method} ${path} answered ${status} with an unusable body: ${why}`,
    );
  }

  private url(path: string, query: Query | undefined): string {
    const qs = (query ?? []).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
    return `${this.baseUrl}${path}${qs ? `?${qs}` : ''}`;
  }

  private backoffMs(attempt: number): number {
    const ceiling = Math.min(this.maxRetryDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
    return Math.floor(Math.random() * ceiling);
  }

  private async send(method: Method, path: string, opts: SendOptions): Promise<SendResult> {
    const url = this.url(path, opts.query);
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    for (let attempt = 1; ; attempt++) {
      const creds = await this.credentials();
      const scrub = scrubber(creds);
      const headers: Record<string, string> = {
        authorization: `Basic ${Buffer.from(`${creds.key}:${creds.secret}`, 'utf8').toString('base64')}`,
        accept: 'application/json',
      };
      if (payload !== undefined) headers['content-type'] = 'application/json';

      let status: number;
      let text: string;
      let resHeaders: Headers;
      try {
        // Redirects are refused: the key must only ever go to the pinned base URL.
        const res = await fetch(url, {
          method,
          headers,
          body: payload,
          redirect: 'manual',
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        status = res.status;
        resHeaders = res.headers;
        text = await res.text();
      } catch (err) {
        const reason = this.describeFailure(err);
        if (attempt >= this.maxAttempts) {
          throw new ConfluentTransientError(
            0,
            scrub(`Confluent ${method} ${path} failed after ${attempt} attempt(s): ${reason}`),
          );
        }
        await this.wait({ method, path, attempt, delayMs: this.backoffMs(attempt) });
        continue;
      }

      if (status >= 200 && status < 300) {
        if (!opts.expectJson) return { gone: false, status, body: undefined };
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          throw this.badBody(method, path, status, 'not JSON');
        }
        return { gone: false, status, body };
      }

      if (status >= 300 && status < 400) {
        throw new ConfluentRequestFailed(
          status,
          'redirect_refused',
          scrub(
            `Confluent ${method} ${path} answered ${status} (a redirect${resHeaders.get('location') ? ` to ${truncate(resHeaders.get('location') ?? '', 200)}` : ''}): refused, the API key only goes to the configured base URL`,
          ),
        );
      }

      const retryable = status === 429 || (status >= 500 && status !== 501);
      if (retryable) {
        if (attempt >= this.maxAttempts) {
          const { detail } = parseErrorBody(status, text);
          throw new ConfluentTransientError(
            status,
            scrub(`Confluent ${method} ${path} answered ${status} after ${attempt} attempt(s): ${detail}`),
          );
        }
        const hinted = retryHintMs(resHeaders, status === 429);
        const delayMs = hinted === undefined ? this.backoffMs(attempt) : Math.min(hinted, this.maxRetryDelayMs);
        await this.wait({ method, path, status, attempt, delayMs });
        continue;
      }

      if (opts.goneOnNotFound && status === 404) return { gone: true, status };

      const { code, detail } = parseErrorBody(status, text);
      if (status === 403) {
        throw new ConfluentAccessDenied(
          code,
          scrub(
            `Confluent ${method} ${path} answered 403${code ? ` ${code}` : ''} (access denied: the API key lacks a role on this environment): ${detail}`,
          ),
        );
      }
      throw new ConfluentRequestFailed(
        status,
        code,
        scrub(`Confluent ${method} ${path} answered ${status}${code ? ` ${code}` : ''}: ${detail}`),
      );
    }
  }

  private async wait(info: ConfluentRetryInfo): Promise<void> {
    this.onRetry?.(info);
    await this.sleep(info.delayMs);
  }

  /** Duck-typed: errors from fetch may come from another realm (DOMException), so no instanceof. */
  private describeFailure(err: unknown): string {
    if (err === null || typeof err !== 'object') return String(err);
    const { name, message, cause } = err as { name?: unknown; message?: unknown; cause?: unknown };
    if (name === 'TimeoutError' || name === 'AbortError') return `timed out after ${this.timeoutMs} ms`;
    const text = typeof message === 'string' && message !== '' ? message : String(err);
    if (cause !== null && typeof cause === 'object') {
      const { code, message: causeMessage } = cause as { code?: unknown; message?: unknown };
      const parts = [
        typeof code === 'string' ? code : undefined,
        typeof causeMessage === 'string' ? causeMessage : undefined,
      ].filter((p): p is string => p !== undefined && p !== '');
      if (parts.length > 0) return `${text} (${parts.join(': ')})`;
    }
    return text;
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers

/**
 * How long a 429 (or 503) asks us to wait, in ms: Retry-After (seconds or an HTTP date), then, for 429,
 * X-RateLimit-Reset (relative seconds, not an epoch). Undefined when neither is usable.
 */
function retryHintMs(headers: Headers, useRateLimitReset: boolean): number | undefined {
  const retryAfter = headers.get('retry-after')?.trim();
  if (retryAfter) {
    if (/^\d+(\.\d+)?$/.test(retryAfter)) return Math.round(Number(retryAfter) * 1000);
    const at = Date.parse(retryAfter);
    if (!Number.isNaN(at)) return Math.max(0, at - Date.now());
  }
  if (useRateLimitReset) {
    const reset = headers.get('x-ratelimit-reset')?.trim();
    if (reset && /^\d+(\.\d+)?$/.test(reset)) return Math.round(Number(reset) * 1000);
  }
  return undefined;
}

/** Replaces the key, the secret and the Basic token wherever they appear. */
function scrubber(creds: ConfluentCredentials): (text: string) => string {
  const secrets = [
    Buffer.from(`${creds.key}:${creds.secret}`, 'utf8').toString('base64'),
    creds.secret,
    creds.key,
  ].filter((s) => s.length > 0);
  return (text) => secrets.reduce((acc, s) => acc.split(s).join('***'), text);
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}...` : text;
}

function nonEmptyString(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

/**
 * Tolerant error text: errors[0].detail (+ resolution), else errors[0].title / code, else top-level
 * `message` / `error.message` (or `error` as a string), else the raw text, else "HTTP <status>".
 */
export function parseErrorBody(status: number, text: string): { code?: string; detail: string } {
  let parsed: unknown;
  try {
    parsed = text.trim() === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (parsed !== null && typeof parsed === 'object') {
    const obj = parsed as Record<string, unknown>;
    const errors = obj.errors;
    if (Array.isArray(errors) && errors.length > 0 && errors[0] !== null && typeof errors[0] === 'object') {
      const e = errors[0] as Record<string, unknown>;
      const code = nonEmptyString(e.code);
      const detail = nonEmptyString(e.detail);
      const resolution = nonEmptyString(e.resolution);
      const text0 = detail
        ? resolution
          ? `${detail} (resolution: ${resolution})`
          : detail
        : (nonEmptyString(e.title) ?? code);
      if (text0) return withCode(code, truncate(text0, MAX_DETAIL_CHARS));
    }
    const topCode = nonEmptyString(obj.code) ?? nonEmptyString(obj.error_code);
    const message = nonEmptyString(obj.message);
    if (message) return withCode(topCode, truncate(message, MAX_DETAIL_CHARS));
    const error = obj.error;
    if (typeof error === 'string' && error.trim() !== '')
      return withCode(topCode, truncate(error.trim(), MAX_DETAIL_CHARS));
    if (error !== null && typeof error === 'object') {
      const errObj = error as Record<string, unknown>;
      const errMessage = nonEmptyString(errObj.message);
      if (errMessage) return withCode(nonEmptyString(errObj.code) ?? topCode, truncate(errMessage, MAX_DETAIL_CHARS));
    }
  }
  const raw = text.trim();
  return { detail: raw === '' ? `HTTP ${status}` : truncate(raw.replace(/\s+/g, ' '), MAX_DETAIL_CHARS) };
}

function withCode(code: string | undefined, detail: string): { code?: string; detail: string } {
  return code === undefined ? { detail } : { code, detail };
}

/** A PNI gateway: spec.config.kind or status.cloud_gateway.kind says so. */
export function isPniGateway(g: Gateway): boolean {
  return g.spec?.config?.kind === PNI_GATEWAY_SPEC_KIND || g.status?.cloud_gateway?.kind === PNI_GATEWAY_STATUS_KIND;
}

/** Confluent's AWS account for the gateway (status.cloud_gateway.account) once it is 12 digits. */
export function gatewayAccount(g: Gateway): string | undefined {
  const account = (g.status?.cloud_gateway as { account?: unknown } | undefined)?.account;
  return typeof account === 'string' && /^\d{12}$/.test(account) ? account : undefined;
}

/** spec.config of a PNI gateway, or undefined for other gateway types. */
export function pniGatewayConfig(g: Gateway): AwsPrivateNetworkInterfaceGatewaySpec | undefined {
  const config = g.spec?.config;
  return config?.kind === PNI_GATEWAY_SPEC_KIND ? (config as AwsPrivateNetworkInterfaceGatewaySpec) : undefined;
}

/** A PNI access point: spec.config.kind is AwsPrivateNetworkInterface. */
export function isPniAccessPoint(ap: AccessPoint): boolean {
  return ap.spec?.config?.kind === PNI_ACCESS_POINT_KIND;
}

/** spec.config of a PNI access point, or undefined for other access point types. */
export function pniAccessPointConfig(ap: AccessPoint): AwsPrivateNetworkInterface | undefined {
  const config = ap.spec?.config;
  return config?.kind === PNI_ACCESS_POINT_KIND ? (config as AwsPrivateNetworkInterface) : undefined;
}
