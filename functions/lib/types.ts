/** Domain shapes: the canonical request, subnet facts, ENI slots, leftovers. The step payloads are in contracts.ts. */
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

/** The canonical provisioning request (docs/architecture.md section 3), after defaults. */
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

export interface ResourceRef {
  type: 'accessPoint' | 'networkInterfacePermission' | 'networkInterface' | 'securityGroup' | 'gateway';
  id: string;
}
export interface Leftover extends ResourceRef {
  reason: string;
}

export type { Phase, Status };

// ------------------------------------------------------------------ day 2 (issue 10)
/** What a drift check compares, resource by resource. */
export type DriftResource =
  | 'networkInterface'
  | 'networkInterfacePermission'
  | 'securityGroup'
  | 'securityGroupRule'
  | 'accessPoint'
  | 'gateway';
/** One difference between the record's desired state and what exists (plain words, for people and events). */
export interface Difference {
  resource: DriftResource;
  id: string;
  expected: string;
  actual: string;
}
/** One violated rule of a request (field path + rule in plain words). */
export interface FieldError {
  field: string;
  message: string;
}
