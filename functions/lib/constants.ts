/** The one place for the product's fixed numbers, names and tags. */

/** Confluent's ports for Kafka clients on PNI ENIs: REST (443) and Kafka (9092). */
export const PNI_INGRESS_PORTS = [443, 9092] as const;

/** Seed document limits. */
export const REQUIRED_SUBNETS = 3;
export const MIN_TOTAL_ENIS = 51;
export const DEFAULT_ENIS_PER_SUBNET = 17;
export const MAX_ENIS_PER_SUBNET = 100;
export const MAX_EGRESS_ROUTES = 5;
export const MAX_PNI_GATEWAYS_PER_ENVIRONMENT = 2;
export const FORBIDDEN_ROUTE_CIDRS = [
  '240.0.0.0/4',
  '172.17.0.0/16',
  '172.23.0.0/16',
  '10.100.0.0/16',
  '10.255.0.0/16',
] as const;

/**
 * Private IPv4 ranges (RFC 1918). A security group rule from or to anything outside them (0.0.0.0/0 included) is
 * refused unless the request consents with `securityGroup.allowPublicCidrs: true`.
 */
export const PRIVATE_IPV4_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] as const;

/** AWS subnet facts: the first four addresses and the last one are reserved. */
export const RESERVED_LEADING_ADDRESSES = 4;
export const RESERVED_ADDRESSES_PER_SUBNET = 5;

/** EC2 limits that request validation applies up front. */
export const MAX_TAGS_PER_RESOURCE = 50;
export const MAX_USER_TAGS = 40; // leaves room for the project's own tags
export const MAX_CLIENT_TOKEN_LENGTH = 64;

/** Tags on everything the provisioner creates. */
export const TAG_REQUEST_ID = 'pni:request-id';
export const TAG_SLOT = 'pni:slot';
export const TAG_CONFLUENT = 'Confluent';
export const TAG_CONFLUENT_VALUE = 'true';
export const TAG_MANAGED_BY = 'pni:managed-by';
export const MANAGED_BY_VALUE = 'pni-provisioner';
export const RESERVED_TAG_PREFIXES = ['aws:', 'pni:'] as const;

/** The permission Confluent's account needs on every ENI. */
export const ENI_PERMISSION = 'INSTANCE-ATTACH';

/** Confluent kinds: PNI_GATEWAY_SPEC_KIND, PNI_GATEWAY_STATUS_KIND, PNI_ACCESS_POINT_KIND in confluent/types.ts. */

/** Event bus contract (docs/architecture.md section 6). */
export const EVENT_DETAIL_VERSION = '1';
export const DETAIL_TYPES = {
  provisioningRequested: 'PNI Provisioning Requested',
  teardownRequested: 'PNI Teardown Requested',
  started: 'PNI Provisioning Started',
  phaseChanged: 'PNI Provisioning Phase Changed',
  succeeded: 'PNI Provisioning Succeeded',
  failed: 'PNI Provisioning Failed',
  teardownSucceeded: 'PNI Teardown Succeeded',
  teardownFailed: 'PNI Teardown Failed',
  /** In-place update (statemachine/update.asl.json; Service Catalog Update today). */
  updateSucceeded: 'PNI Update Succeeded',
  updateFailed: 'PNI Update Failed',
  // day 2 (issue 10)
  provisioningRejected: 'PNI Provisioning Rejected',
  requestNotFound: 'PNI Request Not Found',
  driftDetected: 'PNI Drift Detected',
  repairRequested: 'PNI Repair Requested',
  repairSucceeded: 'PNI Repair Succeeded',
  repairFailed: 'PNI Repair Failed',
} as const;

export const PHASES = ['GATEWAY_READY', 'ENIS_CREATED', 'PERMISSIONS_GRANTED', 'ACCESS_POINT_READY'] as const;
export type Phase = (typeof PHASES)[number];

/** Record statuses (docs/architecture.md section 5). */
export const STATUSES = [
  'VALIDATING',
  'PROVISIONING',
  'SUCCEEDED',
  'ROLLING_BACK',
  'ROLLED_BACK',
  'ROLLBACK_FAILED',
  'TEARING_DOWN',
  'TORN_DOWN',
  'TEARDOWN_FAILED',
  'REJECTED',
] as const;
export type Status = (typeof STATUSES)[number];
/** Statuses in which an execution is working on the request. */
export const ACTIVE_STATUSES: readonly Status[] = ['VALIDATING', 'PROVISIONING', 'ROLLING_BACK', 'TEARING_DOWN'];
/** Statuses of a provisioning execution at work (its rollback included): the ones rollback mode may take over. */
export const PROVISIONING_STATUSES: readonly Status[] = ['VALIDATING', 'PROVISIONING', 'ROLLING_BACK'];
/** Statuses after which nothing of the request exists in the cloud, so a fresh attempt may start. */
export const NOTHING_LEFT_STATUSES: readonly Status[] = ['ROLLED_BACK', 'REJECTED', 'TORN_DOWN'];

/** Polling: the Wait states in statemachine/*.asl.json use these intervals (a statemachine test checks it). */
export const GATEWAY_POLL_SECONDS = 30;
export const ACCESS_POINT_POLL_SECONDS = 60;
export const DELETION_POLL_SECONDS = 15;
export const DEFAULT_GATEWAY_DEADLINE_SECONDS = 2 * 3600;
export const DEFAULT_ACCESS_POINT_DEADLINE_SECONDS = 6 * 3600;
export const DEFAULT_DELETION_DEADLINE_SECONDS = 5 * 3600;
/**
 * For this long after we created an ENI or security group, a NotFound on its delete is not proof that it is gone
 * (EC2 eventual consistency: AWS advises "a couple of seconds up to a few minutes"; 30 minutes is a wide margin).
 * Measured on the clock the state machine's waits run on (CLOCK_SCALE: 1 on AWS, the profile's factor in the sandbox).
 */
export const DEFAULT_DELETION_GRACE_SECONDS = 30 * 60;
export const DEFAULT_ENI_MAX_CONCURRENCY = 10;
/** CloudFormation waits at most an hour for a custom resource: answer a Create by then (Service Catalog). */
export const DEFAULT_CATALOG_ANSWER_DEADLINE_SECONDS = 55 * 60;
/** CreateNetworkInterfacePermission shares EC2's 50-token / 5-per-second mutating bucket. */
export const PERMISSION_GRANT_CONCURRENCY = 5;
/** Teardown's permission revokes and ENI deletes: the same bucket, the same bound. */
export const EC2_DELETE_CONCURRENCY = 5;

/**
 * Added by the request-contract work (request schema): EC2's default quota of inbound (and,
 * separately, outbound) rules per security group. Each (CIDR, port) pair is one rule, so with the
 * two PNI ingress ports at most 30 ingress CIDRs fit. Raise it if the account's quota was raised.
 */
export const MAX_RULES_PER_SECURITY_GROUP_DIRECTION = 60;
/** The per-resource Name tag: the provisioner sets it (ENI slot names), so users may not. */
export const TAG_NAME = 'Name';
/** EC2 tag limits (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/Using_Tags.html#tag-restrictions). */
export const MAX_TAG_KEY_LENGTH = 127;
export const MAX_TAG_VALUE_LENGTH = 256;
/** Longest request id: it becomes part of resource names, tags and execution names. */
export const MAX_REQUEST_ID_LENGTH = 64;
/** Longest gateway display name / access point name the request may set. */
export const MAX_DISPLAY_NAME_LENGTH = 64;
/** Gateway phases in which an existing gateway cannot be reused by a request. */
export const UNUSABLE_GATEWAY_PHASES = ['FAILED', 'EXPIRED', 'DEPROVISIONING'] as const;

/**
 * The service's own CloudWatch metrics (issue 12; Powertools Metrics, EMF): one namespace (serverless.yml
 * custom.metricsNamespace), dimensions service + stage. The dashboard in serverless.yml shows each of them.
 */
export const METRIC_NAMES = {
  provisioningDuration: 'ProvisioningDuration',
  enisCreated: 'EnisCreated',
  throttledCalls: 'ThrottledCalls',
  retries: 'Retries',
  leftovers: 'Leftovers',
} as const;
// ------------------------------------------------------------------ day 2 (issue 10): drift, repair, plan, list
/** Statuses of a live connection: a new request for the same (environment, VPC) is refused (ConnectionExists). */
export const LIVE_CONNECTION_STATUSES: readonly Status[] = ['SUCCEEDED', 'PROVISIONING'];
/** Connections one drift run lists per page (from the byStatus index), and checks at once within a page. */
export const DRIFT_PAGE_SIZE = 10;
export const DRIFT_CHECK_CONCURRENCY = 2;
/** Pause between two pages of a drift run (the drift machine's Wait uses it; a statemachine test checks it). */
export const DRIFT_PAGE_PAUSE_SECONDS = 5;
/** A drift run stops after this many pages (DRIFT_PAGE_SIZE x this = 10 000 connections). */
export const DRIFT_MAX_PAGES = 1000;
/** Lock holder of a repair: `repair:<requestId>` (the connection's own id would let its provisioning re-enter). */
export const REPAIR_LOCK_PREFIX = 'repair:';
