/**
 * Service Catalog product properties (servicecatalog/pni-connection.yaml) <-> THE request contract.
 *
 * CloudFormation sends every ResourceProperties value as a string or a list of strings (numbers become "17",
 * an empty CommaDelimitedList becomes [""]). This module turns them into a request object for the one request
 * schema (request/schema.ts via parseRequest) and names the product's property, not the request field, in every
 * message a CloudFormation user will read.
 */
import { RequestInvalid } from '../errors.js';
import { parseRequest, serviceCatalogRequestId } from '../request/parse.js';
import type { CanonicalRequest } from '../types.js';

/** The product template's parameters, passed through as the custom resource's properties (same names). */
export const CATALOG_PROPERTIES = [
  'EnvironmentId',
  'VpcId',
  'SubnetIds',
  'EnisPerSubnet',
  'IngressCidrs',
  'EgressRoutes',
  'GatewayId',
  'GatewayName',
  'AccessPointName',
] as const;
export type CatalogProperty = (typeof CATALOG_PROPERTIES)[number];

/** Properties an Update may change in place; any other change is refused (create a new connection). */
export const UPDATABLE_PROPERTIES: readonly CatalogProperty[] = ['EgressRoutes', 'IngressCidrs'];

/** Request field (path prefix) -> product property. */
const FIELD_TO_PROPERTY: ReadonlyArray<[string, string]> = [
  ['environmentId', 'EnvironmentId'],
  ['vpcId', 'VpcId'],
  ['subnetIds', 'SubnetIds'],
  ['enisPerSubnet', 'EnisPerSubnet'],
  ['securityGroup.ingressCidrs', 'IngressCidrs'],
  ['securityGroup', 'IngressCidrs'],
  ['egressRoutes', 'EgressRoutes'],
  ['gateway.existingId', 'GatewayId'],
  ['gateway.displayName', 'GatewayName'],
  ['gateway', 'GatewayId'],
  ['accessPointName', 'AccessPointName'],
  ['region', 'the stack region (StackId)'],
  ['requestId', 'the request id (StackId + LogicalResourceId)'],
];

/** "subnetIds[1]" -> "SubnetIds[1]", "gateway.existingId" -> "GatewayId"; unknown fields stay as they are. */
export function propertyOfField(field: string): string {
  for (const [prefix, property] of FIELD_TO_PROPERTY) {
    if (field === prefix) return property;
    if (field.startsWith(`${prefix}[`) || field.startsWith(`${prefix}.`)) return property + field.slice(prefix.length);
  }
  return field;
}

/** A RequestInvalid message ("subnetIds[1]: must be ...") in the product's words ("SubnetIds[1]: must be ..."). */
export function describeInvalid(err: RequestInvalid): string {
  return `${propertyOfField(err.field)}: ${err.rule}`;
}

/** A property value CloudFormation sent: a string, or a list of strings. */
function text(props: Record<string, unknown>, name: CatalogProperty): string | undefined {
  const v = props[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v !== 'string') throw new RequestInvalid(name, 'must be a text value');
  const t = v.trim();
  return t === '' ? undefined : t;
}

/** A list property: a list of strings, or one comma-separated string; blanks are dropped (an empty list param is [""]). */
function list(props: Record<string, unknown>, name: CatalogProperty): string[] | undefined {
  const v = props[name];
  if (v === undefined || v === null) return undefined;
  let items: unknown[];
  if (typeof v === 'string') items = v.split(',');
  else if (Array.isArray(v)) items = v;
  else throw new RequestInvalid(name, 'must be a list of text values (or one comma-separated text)');
  const out: string[] = [];
  items.forEach((item, i) => {
    if (typeof item !== 'string') throw new RequestInvalid(`${name}[${i}]`, 'must be a text value');
    const t = item.trim();
    if (t !== '') out.push(t);
  });
  return out;
}

/** "17" -> 17; anything that is not a whole number is named. */
function whole(props: Record<string, unknown>, name: CatalogProperty): number | undefined {
  const t = text(props, name);
  if (t === undefined) return undefined;
  if (!/^-?\d+$/.test(t)) throw new RequestInvalid(name, `must be a whole number (got ${JSON.stringify(t)})`);
  return Number(t);
}

/** "arn:aws:cloudformation:us-west-2:111122223333:stack/name/guid" -> "us-west-2". */
export function regionOfStack(stackId: string): string {
  const m = /^arn:[^:]+:cloudformation:([^:]+):\d{12}:stack\//.exec(stackId);
  if (!m)
    throw new RequestInvalid('StackId', 'must be a CloudFormation stack ARN (arn:aws:cloudformation:<region>:...)');
  return m[1];
}

/**
 * ResourceProperties -> the request object (not yet validated). `ServiceToken` is CloudFormation's own; any other
 * unknown property is an error naming it (a typo must not be ignored, as in the request schema).
 */
export function requestFromProperties(
  properties: unknown,
  ids: { stackId: string; logicalResourceId: string },
): Record<string, unknown> {
  if (typeof properties !== 'object' || properties === null || Array.isArray(properties))
    throw new RequestInvalid('ResourceProperties', 'must be an object');
  const props = properties as Record<string, unknown>;
  for (const key of Object.keys(props)) {
    if (key !== 'ServiceToken' && !(CATALOG_PROPERTIES as readonly string[]).includes(key))
      throw new RequestInvalid(key, `is not a property of the PNI connection (${CATALOG_PROPERTIES.join(', ')})`);
  }
  const request: Record<string, unknown> = {
    requestId: serviceCatalogRequestId(ids.stackId, ids.logicalResourceId),
    environmentId: text(props, 'EnvironmentId'),
    region: regionOfStack(ids.stackId),
    vpcId: text(props, 'VpcId'),
    subnetIds: list(props, 'SubnetIds'),
  };
  const enisPerSubnet = whole(props, 'EnisPerSubnet');
  if (enisPerSubnet !== undefined) request.enisPerSubnet = enisPerSubnet;
  const ingressCidrs = list(props, 'IngressCidrs');
  if (ingressCidrs?.length) request.securityGroup = { ingressCidrs, egressRules: [] };
  const egressRoutes = list(props, 'EgressRoutes');
  if (egressRoutes?.length) request.egressRoutes = egressRoutes;
  const gatewayId = text(props, 'GatewayId');
  const gatewayName = text(props, 'GatewayName');
  if (gatewayId !== undefined || gatewayName !== undefined)
    request.gateway = {
      ...(gatewayId !== undefined ? { existingId: gatewayId } : {}),
      ...(gatewayName !== undefined ? { displayName: gatewayName } : {}),
    };
  const accessPointName = text(props, 'AccessPointName');
  if (accessPointName !== undefined) request.accessPointName = accessPointName;
  for (const k of Object.keys(request)) if (request[k] === undefined) delete request[k];
  return request;
}

/** Map and validate with THE request schema; a violation is a RequestInvalid whose `field` is the product property. */
export function catalogRequest(
  properties: unknown,
  ids: { stackId: string; logicalResourceId: string },
): CanonicalRequest {
  const raw = requestFromProperties(properties, ids);
  try {
    return parseRequest(raw, String(raw.requestId));
  } catch (err) {
    if (err instanceof RequestInvalid) throw new RequestInvalid(propertyOfField(err.field), err.rule);
    throw err;
  }
}
