/** Shapes shared by the handlers, the state machines and the sandbox. */
import type { Phase, Status } from './constants.js';

export type IpAssignment = { mode: 'auto' } | { mode: 'sequential'; startOffset: number };

export interface EgressRule {
  cidr: string;
  ports: number[];
}

export type SecurityGroupRequest =
  | { existingId: string }
  | {
      ingressCidrs?: string[];
      egressRules: EgressRule[] /** consent to rules from/to public ranges */;
      allowPublicCidrs?: true;
    };

export type GatewayRequest = { existingId: string } | { displayName?: string };

/** The canonical provisioning request (ARCHITECTURE section 3), after defaults. */
export interface CanonicalRequest {
  requestId: string;
  environmentId: string;
  region: string;
  vpcId: string;
  subnetIds: string[];
  enisPerSubnet: number;
  ipAssignment: IpAssignment;
  securityGroup: SecurityGroupRequest;
  egressRoutes: string[];
  gateway: GatewayRequest;
  accessPointName?: string;
  tags: Record<string, string>;
}

export type RequestSource = 'console' | 'eventbridge' | 'servicecatalog';

/** What a subnet looked like when the request was validated. */
export interface SubnetFact {
  subnetId: string;
  vpcId: string;
  cidr: string;
  zoneId: string;
  zoneName: string;
  availableIps: number;
}

/** One planned ENI. `slot` is 0-based over all subnets; subnet i holds slots i*n .. i*n+n-1. */
export interface EniSlot {
  slot: number;
  subnetId: string;
  zoneId: string;
  privateIp?: string;
  clientToken: string;
  description: string;
  name: string;
}

export interface Limits {
  gatewayMaxPolls: number;
  accessPointMaxPolls: number;
  deletionMaxPolls: number;
  eniMaxConcurrency: number;
}

/** Output of ValidateRequest, the payload every later provision state carries. */
export interface ProvisionContext {
  requestId: string;
  attempt: number;
  executionArn: string;
  source: RequestSource;
  request: CanonicalRequest;
  /** The customer's AWS account (owner of the VPC), which owns the ENIs. */
  customerAccount: string;
  vpcCidr: string;
  subnets: SubnetFact[];
  /** AZ ids, in subnet order: what the Confluent gateway gets. */
  zones: string[];
  plan: { slots: EniSlot[] };
  limits: Limits;
  warnings: string[];
  /** Set when the same request already SUCCEEDED: the workflow returns the stored result. */
  alreadySucceeded?: boolean;
  result?: ProvisionResult;
}

export interface ProvisionResult {
  requestId: string;
  status: Status;
  gatewayId?: string;
  gatewayCreatedByUs?: boolean;
  confluentAccount?: string;
  securityGroupId?: string;
  accessPointId?: string;
  eniIds: string[];
}

export interface ResourceRef {
  type: 'accessPoint' | 'networkInterfacePermission' | 'networkInterface' | 'securityGroup' | 'gateway';
  id: string;
}
export interface Leftover extends ResourceRef {
  reason: string;
}

export type { Phase, Status };
