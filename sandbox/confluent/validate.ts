/**
 * Request-body checks of the Confluent emulator. Type and required-field violations answer 400; values
 * that are well typed but break a rule (the spec's minItems/pattern/uniqueItems, the seed document's
 * product limits) answer 422 `invalid_configuration`, with `source.pointer` at the offending field.
 */
import { badRequest, invalid } from './errors.js';
import { cidrsOverlap, parseCidr, type Cidr } from '../ipv4.js';

export type Json = Record<string, unknown>;

export const PNI_GATEWAY_SPEC_KIND = 'AwsPrivateNetworkInterfaceGatewaySpec';
export const PNI_GATEWAY_STATUS_KIND = 'AwsPrivateNetworkInterfaceGatewayStatus';
export const PNI_ACCESS_POINT_KIND = 'AwsPrivateNetworkInterface';

/** `spec.config.kind` values of the gateway spec's oneOf (only the PNI one is emulated). */
export const GATEWAY_SPEC_KINDS = [
  'AwsEgressPrivateLinkGatewaySpec',
  'AwsPrivateNetworkInterfaceGatewaySpec',
  'AwsIngressPrivateLinkGatewaySpec',
  'AwsPeeringGatewaySpec',
  'AzurePeeringGatewaySpec',
  'AzureEgressPrivateLinkGatewaySpec',
  'AzureIngressPrivateLinkGatewaySpec',
  'GcpPeeringGatewaySpec',
  'GcpEgressPrivateServiceConnectGatewaySpec',
  'GcpIngressPrivateServiceConnectGatewaySpec',
];
/** `spec.config.kind` values of the access point spec's oneOf (only the PNI one is emulated). */
export const ACCESS_POINT_KINDS = [
  'AwsEgressPrivateLinkEndpoint',
  'AwsIngressPrivateLinkEndpoint',
  'AzureEgressPrivateLinkEndpoint',
  'AzureIngressPrivateLinkEndpoint',
  'AwsPrivateNetworkInterface',
  'GcpEgressPrivateServiceConnectEndpoint',
  'GcpIngressPrivateServiceConnectEndpoint',
];

/** Seed document: "You can set up two PNI gateways per Confluent Cloud environment." */
export const MAX_PNI_GATEWAYS_PER_ENVIRONMENT = 2;
/** API spec `minItems: 51` on network_interfaces (and the seed document: "51 or more ENI IDs"). */
export const MIN_NETWORK_INTERFACES = 51;
/** Seed document: "up to five CIDR blocks". */
export const MAX_EGRESS_ROUTES = 5;
/** Seed document: "You can't use the following CIDR ranges". */
export const FORBIDDEN_ROUTE_CIDRS = [
  '240.0.0.0/4',
  '172.17.0.0/16',
  '172.23.0.0/16',
  '10.100.0.0/16',
  '10.255.0.0/16',
];
/** The sandbox's choice: a PNI gateway takes exactly this many distinct AZ ids. */
export const PNI_GATEWAY_ZONES = 3;

const ENI_ID = /^eni-[0-9a-f]{8}([0-9a-f]{9})?$/;
const ACCOUNT_ID = /^\d{12}$/;
const AZ_ID = /^[a-z]{2,}[0-9]+-az[0-9]+$/;
const AZ_NAME = /^[a-z]{2}(-[a-z]+)+-\d+[a-z]$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

// ------------------------------------------------------------------------------------------------
// JSON helpers

export function parseJsonBody(body: Buffer): unknown {
  const text = body.toString('utf8');
  if (!text.trim()) throw badRequest('The request body is empty; a JSON object is required');
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw badRequest(`The request body is not valid JSON: ${(e as Error).message}`);
  }
}

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function requireObject(v: unknown, pointer: string): Json {
  if (v === undefined) throw badRequest(`The property '${pointer}' is required`, pointer);
  if (!isObject(v))
    throw badRequest(
      `The property '${pointer}' of type ${typeName(v)} did not match the following type: object`,
      pointer,
    );
  return v;
}

export function optionalString(v: unknown, pointer: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string')
    throw badRequest(
      `The property '${pointer}' of type ${typeName(v)} did not match the following type: string`,
      pointer,
    );
  return v;
}

export function requireString(v: unknown, pointer: string): string {
  if (v === undefined) throw badRequest(`The property '${pointer}' is required`, pointer);
  return optionalString(v, pointer) as string;
}

export function optionalStringArray(v: unknown, pointer: string): string[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v))
    throw badRequest(
      `The property '${pointer}' of type ${typeName(v)} did not match the following type: array`,
      pointer,
    );
  v.forEach((item, i) => {
    if (typeof item !== 'string') {
      throw badRequest(
        `The property '${pointer}/${i}' of type ${typeName(item)} did not match the following type: string`,
        `${pointer}/${i}`,
      );
    }
  });
  return v as string[];
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v === 'number' ? (Number.isInteger(v) ? 'integer' : 'number') : typeof v;
}

/** `spec.environment.id` of a POST/PATCH body. */
export function environmentIdOf(spec: Json): string {
  const env = requireObject(spec.environment, '/spec/environment');
  const id = requireString(env.id, '/spec/environment/id');
  if (!id) throw badRequest("The property '/spec/environment/id' must not be empty", '/spec/environment/id');
  return id;
}

// ------------------------------------------------------------------------------------------------
// IPv4 CIDRs

const FORBIDDEN = FORBIDDEN_ROUTE_CIDRS.map((text) => ({ text, cidr: parseCidr(text) as Cidr }));

// ------------------------------------------------------------------------------------------------
// Regions and AZ ids

const DIRECTION: Record<string, string> = {
  north: 'n',
  south: 's',
  east: 'e',
  west: 'w',
  central: 'c',
  northeast: 'ne',
  northwest: 'nw',
  southeast: 'se',
  southwest: 'sw',
  gov: 'g',
  iso: 'iso',
  isob: 'isob',
};

/** The AZ-id prefix AWS uses for a region: us-west-2 -> usw2, ap-southeast-1 -> apse1 (undefined if unknown). */
export function azIdPrefix(region: string): string | undefined {
  const parts = region.split('-');
  const num = parts.pop();
  const country = parts.shift();
  if (!num || !country) return undefined;
  let out = country;
  for (const p of parts) {
    const d = DIRECTION[p];
    if (d === undefined) return undefined;
    out += d;
  }
  return out + num;
}

// ------------------------------------------------------------------------------------------------
// Gateways

export interface PniGatewayConfig {
  kind: typeof PNI_GATEWAY_SPEC_KIND;
  region: string;
  zones: string[];
}

/** Checks `spec.config` of a gateway create body. */
export function validateGatewayConfig(raw: unknown): PniGatewayConfig {
  const config = requireObject(raw, '/spec/config');
  const kind = requireString(config.kind, '/spec/config/kind');
  if (!GATEWAY_SPEC_KINDS.includes(kind)) {
    throw badRequest(
      `The property '/spec/config/kind' must be one of ${GATEWAY_SPEC_KINDS.join(', ')}`,
      '/spec/config/kind',
    );
  }
  if (kind !== PNI_GATEWAY_SPEC_KIND) {
    throw invalid(
      `Gateway type ${kind} is not supported by the sandbox; only ${PNI_GATEWAY_SPEC_KIND} is emulated`,
      '/spec/config/kind',
    );
  }
  const region = requireString(config.region, '/spec/config/region');
  const zones = optionalStringArray(config.zones, '/spec/config/zones');
  if (zones === undefined) throw badRequest("The property '/spec/config/zones' is required", '/spec/config/zones');
  if (!REGION.test(region)) throw invalid(`'${region}' is not a valid AWS region`, '/spec/config/region');
  const prefix = azIdPrefix(region);
  zones.forEach((z, i) => {
    const pointer = `/spec/config/zones/${i}`;
    if (AZ_NAME.test(z))
      throw invalid(
        `zone '${z}' is an availability zone name; zones must be availability zone ids (e.g. ${prefix ?? 'usw2'}-az1)`,
        pointer,
      );
    if (!AZ_ID.test(z))
      throw invalid(`zone '${z}' is not an availability zone id (e.g. ${prefix ?? 'usw2'}-az1)`, pointer);
    if (prefix && !z.startsWith(`${prefix}-`)) throw invalid(`zone '${z}' is not in region ${region}`, pointer);
  });
  if (new Set(zones).size !== zones.length) throw invalid('zones must not contain duplicates', '/spec/config/zones');
  if (zones.length !== PNI_GATEWAY_ZONES) {
    throw invalid(
      `A Private Network Interface gateway needs exactly ${PNI_GATEWAY_ZONES} distinct availability zone ids, got ${zones.length}`,
      '/spec/config/zones',
    );
  }
  return { kind: PNI_GATEWAY_SPEC_KIND, region, zones: [...zones] };
}

// ------------------------------------------------------------------------------------------------
// Access points

export function validateNetworkInterfaces(raw: unknown, pointer = '/spec/config/network_interfaces'): string[] {
  const enis = optionalStringArray(raw, pointer);
  if (enis === undefined)
    throw invalid('network_interfaces is required for an AwsPrivateNetworkInterface access point', pointer);
  enis.forEach((e, i) => {
    if (!ENI_ID.test(e)) throw invalid(`'${e}' is not a network interface id (eni-...)`, `${pointer}/${i}`);
  });
  const seen = new Set<string>();
  for (const e of enis) {
    if (seen.has(e)) throw invalid(`network_interfaces must be unique; ${e} is listed more than once`, pointer);
    seen.add(e);
  }
  if (enis.length < MIN_NETWORK_INTERFACES) {
    throw invalid(`At least ${MIN_NETWORK_INTERFACES} network interfaces are required, got ${enis.length}`, pointer);
  }
  return [...enis];
}

export function validateAccount(raw: unknown, pointer = '/spec/config/account'): string {
  if (raw === undefined) throw invalid('account is required for an AwsPrivateNetworkInterface access point', pointer);
  const account = requireString(raw, pointer);
  if (!ACCOUNT_ID.test(account)) throw invalid(`account '${account}' does not match the pattern ^\\d{12}$`, pointer);
  return account;
}

export function validateEgressRoutes(raw: unknown, pointer = '/spec/config/egress_routes'): string[] {
  const routes = optionalStringArray(raw, pointer) ?? [];
  const parsed: Cidr[] = [];
  routes.forEach((r, i) => {
    const c = parseCidr(r);
    if (!c) throw invalid(`egress route '${r}' is not an IPv4 CIDR block`, `${pointer}/${i}`);
    parsed.push(c);
  });
  if (new Set(routes).size !== routes.length) throw invalid('egress_routes must be unique', pointer);
  if (routes.length > MAX_EGRESS_ROUTES) {
    throw invalid(`At most ${MAX_EGRESS_ROUTES} egress routes are allowed, got ${routes.length}`, pointer);
  }
  parsed.forEach((c, i) => {
    const bad = FORBIDDEN.find((f) => cidrsOverlap(c, f.cidr));
    if (bad)
      throw invalid(
        `egress route '${routes[i]}' overlaps the reserved range ${bad.text}, which cannot be used`,
        `${pointer}/${i}`,
      );
  });
  return [...routes];
}

/** Checks the kind of an access point `spec.config` (create or PATCH). */
export function validateAccessPointKind(config: Json): void {
  const kind = requireString(config.kind, '/spec/config/kind');
  if (!ACCESS_POINT_KINDS.includes(kind)) {
    throw badRequest(
      `The property '/spec/config/kind' must be one of ${ACCESS_POINT_KINDS.join(', ')}`,
      '/spec/config/kind',
    );
  }
  if (kind !== PNI_ACCESS_POINT_KIND) {
    throw invalid(
      `Access point type ${kind} is not supported by the sandbox; only ${PNI_ACCESS_POINT_KIND} is emulated (and it must match the gateway type)`,
      '/spec/config/kind',
    );
  }
}
