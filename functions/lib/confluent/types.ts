/**
 * Confluent Cloud networking/v1 shapes, written by hand from the SDK OpenAPI specs
 * (networking-gateway and networking-access-point), limited to what PNI needs.
 *
 * Tolerance rules:
 * - phases and kinds are extensible enums: `Known... | (string & {})` keeps autocompletion and still
 *   accepts values the spec does not list yet (EXPIRED was added late, for example);
 * - read-only response fields the spec does not mark `required` are optional here;
 * - configs of other gateway/access point types are kept as open records.
 */

// ---------------------------------------------------------------------------------------------
// Common

/** Metadata every persisted object carries (spec `ObjectMeta`; only `self` is required there). */
export interface ObjectMeta {
  self?: string;
  resource_name?: string;
  created_at?: string;
  updated_at?: string;
  deleted_at?: string;
}

/** Collection metadata (spec `ListMeta`). `next` missing, null or empty means the last page. */
export interface ListMeta {
  first?: string | null;
  last?: string | null;
  prev?: string | null;
  next?: string | null;
  total_size?: number;
}

/** A reference to another object as the API returns it (spec `ObjectReference`). */
export interface ObjectReference {
  id: string;
  environment?: string;
  related?: string;
  resource_name?: string;
  api_version?: string;
  kind?: string;
}

/** A reference as a request body sends it: the id only. */
export interface IdReference {
  id: string;
}

/** One entry of a Failure body (spec `Error`). `resolution` is not in the spec; the CLI reads it. */
export interface ConfluentApiError {
  id?: string;
  status?: string;
  code?: string;
  title?: string;
  detail?: string;
  resolution?: string;
  source?: { pointer?: string; parameter?: string };
}

/** Error body (spec `Failure`). */
export interface Failure {
  errors: ConfluentApiError[];
}

/** A config or status variant this client does not model (other cloud or gateway types). */
export interface OtherKindObject {
  kind: string;
  [key: string]: unknown;
}

// ---------------------------------------------------------------------------------------------
// Gateways

export const PNI_GATEWAY_SPEC_KIND = 'AwsPrivateNetworkInterfaceGatewaySpec';
export const PNI_GATEWAY_STATUS_KIND = 'AwsPrivateNetworkInterfaceGatewayStatus';
/** `gateway_type` list filter value for PNI gateways. */
export const PNI_GATEWAY_TYPE = 'AwsPrivateNetworkInterface';

export type KnownGatewayPhase = 'CREATED' | 'PROVISIONING' | 'READY' | 'FAILED' | 'DEPROVISIONING' | 'EXPIRED';
export type GatewayPhase = KnownGatewayPhase | (string & {});

export type KnownGatewaySpecKind =
  | 'AwsPrivateNetworkInterfaceGatewaySpec'
  | 'AwsEgressPrivateLinkGatewaySpec'
  | 'AwsIngressPrivateLinkGatewaySpec'
  | 'AwsPeeringGatewaySpec'
  | 'AzureEgressPrivateLinkGatewaySpec'
  | 'AzureIngressPrivateLinkGatewaySpec'
  | 'AzurePeeringGatewaySpec'
  | 'GcpPeeringGatewaySpec'
  | 'GcpEgressPrivateServiceConnectGatewaySpec'
  | 'GcpIngressPrivateServiceConnectGatewaySpec';

/** spec.config of a PNI gateway (spec `networking.v1.AwsPrivateNetworkInterfaceGatewaySpec`). Immutable. */
export interface AwsPrivateNetworkInterfaceGatewaySpec {
  kind: 'AwsPrivateNetworkInterfaceGatewaySpec';
  region: string;
  /** AWS availability zone IDs (use1-az1), not names. */
  zones: string[];
}

export type GatewaySpecConfig = AwsPrivateNetworkInterfaceGatewaySpec | OtherKindObject;

/** spec `networking.v1.GatewaySpec` as returned. */
export interface GatewaySpec {
  display_name?: string;
  config?: GatewaySpecConfig;
  environment?: ObjectReference;
}

/** status.cloud_gateway of a PNI gateway. `account` is Confluent's AWS account (INSTANCE-ATTACH grantee). */
export interface AwsPrivateNetworkInterfaceGatewayStatus {
  kind: 'AwsPrivateNetworkInterfaceGatewayStatus';
  account?: string;
}

export type CloudGatewayStatus = AwsPrivateNetworkInterfaceGatewayStatus | OtherKindObject;

/** spec `networking.v1.GatewayStatus`. */
export interface GatewayStatus {
  phase: GatewayPhase;
  error_code?: string;
  error_message?: string;
  cloud_gateway?: CloudGatewayStatus;
}

/** spec `networking.v1.Gateway`. */
export interface Gateway {
  api_version?: 'networking/v1' | (string & {});
  kind?: 'Gateway' | (string & {});
  /** gw-... */
  id: string;
  metadata?: ObjectMeta;
  spec?: GatewaySpec;
  status?: GatewayStatus;
}

/** spec `networking.v1.GatewayList`. */
export interface GatewayList {
  api_version?: string;
  kind?: 'GatewayList' | (string & {});
  metadata?: ListMeta;
  data: Gateway[];
}

/** POST /networking/v1/gateways body for a PNI gateway. */
export interface PniGatewayCreateRequest {
  spec: {
    display_name: string;
    environment: IdReference;
    config: AwsPrivateNetworkInterfaceGatewaySpec;
  };
}

// ---------------------------------------------------------------------------------------------
// Access points

export const PNI_ACCESS_POINT_KIND = 'AwsPrivateNetworkInterface';

export type KnownAccessPointPhase =
  | 'PROVISIONING'
  | 'PENDING_ACCEPT'
  | 'READY'
  | 'FAILED'
  | 'DEPROVISIONING'
  | 'DISCONNECTED'
  | 'DEGRADED'
  | 'ERROR';
export type AccessPointPhase = KnownAccessPointPhase | (string & {});

/**
 * spec.config of a PNI access point (spec `networking.v1.AwsPrivateNetworkInterface`). Only `kind` is
 * required by the spec, so the rest is optional in responses.
 */
export interface AwsPrivateNetworkInterface {
  kind: 'AwsPrivateNetworkInterface';
  /** ENI ids; the API requires at least 51, unique. */
  network_interfaces?: string[];
  /** The customer's AWS account that owns the ENIs (12 digits). Immutable. */
  account?: string;
  /** Egress IPv4 CIDRs. */
  egress_routes?: string[];
}

export type AccessPointSpecConfig = AwsPrivateNetworkInterface | OtherKindObject;

/** spec `networking.v1.AccessPointSpec` as returned. */
export interface AccessPointSpec {
  display_name?: string;
  config?: AccessPointSpecConfig;
  environment?: ObjectReference;
  /** Immutable. */
  gateway?: ObjectReference;
}

/** spec `networking.v1.AccessPointStatus`. `config` has no PNI variant in the spec. */
export interface AccessPointStatus {
  phase: AccessPointPhase;
  error_code?: string;
  error_message?: string;
  config?: OtherKindObject;
}

/** spec `networking.v1.AccessPoint`. */
export interface AccessPoint {
  api_version?: 'networking/v1' | (string & {});
  kind?: 'AccessPoint' | (string & {});
  /** ap-... */
  id: string;
  metadata?: ObjectMeta;
  spec?: AccessPointSpec;
  status?: AccessPointStatus;
}

/** spec `networking.v1.AccessPointList`. */
export interface AccessPointList {
  api_version?: string;
  kind?: 'AccessPointList' | (string & {});
  metadata?: ListMeta;
  data: AccessPoint[];
}

/** POST /networking/v1/access-points body for a PNI access point. */
export interface PniAccessPointCreateRequest {
  spec: {
    display_name: string;
    environment: IdReference;
    gateway: IdReference;
    config: {
      kind: 'AwsPrivateNetworkInterface';
      network_interfaces: string[];
      account: string;
      egress_routes: string[];
    };
  };
}

/** PATCH /networking/v1/access-points/{id} body (spec `AccessPointSpecUpdate`); lists are sent whole. */
export interface PniAccessPointUpdateRequest {
  spec: {
    environment: IdReference;
    display_name?: string;
    config?: {
      kind: 'AwsPrivateNetworkInterface';
      egress_routes?: string[];
      network_interfaces?: string[];
    };
  };
}
