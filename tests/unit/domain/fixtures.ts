/** Shared inputs for the domain tests: docs/architecture.md section 3's example request and matching facts. */
import type { CanonicalRequest, SubnetFact } from '#lib/types.js';
import type { ProvisioningRequestInput } from '#lib/request/schema.js';
import type { LiveFacts } from '#lib/request/live.js';

export const SUBNET_A = 'subnet-0123456789abcdefa';
export const SUBNET_B = 'subnet-0123456789abcdefb';
export const SUBNET_C = 'subnet-0123456789abcdefc';
export const VPC = 'vpc-0123456789abcdef0';

/** The example request of docs/architecture.md section 3. */
export function exampleRequest(): ProvisioningRequestInput & Record<string, unknown> {
  return {
    requestId: 'pni-payments-usw2',
    environmentId: 'env-abc123',
    region: 'us-west-2',
    vpcId: VPC,
    subnetIds: [SUBNET_A, SUBNET_B, SUBNET_C],
    enisPerSubnet: 17,
    ipAssignment: { mode: 'auto' },
    securityGroup: {
      ingressCidrs: ['10.0.0.0/16'],
      egressRules: [{ cidr: '10.10.1.0/24', ports: [5432] }],
    },
    egressRoutes: ['10.10.0.0/16'],
    gateway: { displayName: 'payments-usw2' },
    accessPointName: 'payments-usw2',
    tags: { team: 'payments' },
  };
}

/** Only the required fields. */
export function minimalRequest(): Record<string, unknown> {
  return {
    environmentId: 'env-abc123',
    region: 'us-west-2',
    vpcId: VPC,
    subnetIds: [SUBNET_A, SUBNET_B, SUBNET_C],
  };
}

export function canonical(overrides: Partial<CanonicalRequest> = {}): CanonicalRequest {
  return {
    requestId: 'pni-payments-usw2',
    environmentId: 'env-abc123',
    region: 'us-west-2',
    vpcId: VPC,
    subnetIds: [SUBNET_A, SUBNET_B, SUBNET_C],
    enisPerSubnet: 17,
    ipAssignment: { mode: 'auto' },
    securityGroup: { egressRules: [] },
    egressRoutes: [],
    gateway: {},
    tags: {},
    ...overrides,
  };
}

export function subnetFacts(): SubnetFact[] {
  return [
    {
      subnetId: SUBNET_A,
      vpcId: VPC,
      cidr: '10.0.1.0/24',
      zoneId: 'usw2-az1',
      zoneName: 'us-west-2a',
      availableIps: 251,
    },
    {
      subnetId: SUBNET_B,
      vpcId: VPC,
      cidr: '10.0.2.0/24',
      zoneId: 'usw2-az2',
      zoneName: 'us-west-2b',
      availableIps: 251,
    },
    {
      subnetId: SUBNET_C,
      vpcId: VPC,
      cidr: '10.0.3.0/24',
      zoneId: 'usw2-az3',
      zoneName: 'us-west-2c',
      availableIps: 251,
    },
  ];
}

export function liveFacts(overrides: Partial<LiveFacts> = {}): LiveFacts {
  return {
    vpc: { vpcId: VPC, cidr: '10.0.0.0/16', ownerId: '111122223333' },
    subnets: subnetFacts(),
    usedIps: {},
    pniGateways: [],
    ...overrides,
  };
}
