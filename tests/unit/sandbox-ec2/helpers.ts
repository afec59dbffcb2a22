/** Shared set-up for the EC2 emulator tests: an emulator behind a loopback server and a real EC2Client. */
import { EC2Client, EC2ServiceException } from '@aws-sdk/client-ec2';
import { FaultRegistry } from '#sandbox/faults.js';
import { SEED } from '#sandbox/seed.js';
import type { Profile } from '#sandbox/types.js';
import { Ec2Emulator } from '#sandbox/ec2/index.js';
import { startEc2TestServer } from '#sandbox/ec2/testServer.js';

export class FakeClock {
  constructor(public t = 1_700_000_000_000) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export function testProfile(over: Partial<Profile> = {}): Profile {
  return {
    name: 'fast',
    timeFactor: 0.001,
    ec2TokenBuckets: false,
    ec2LatencyMs: 0,
    confluentLatencyMs: 0,
    lambdaOverheadMs: 0,
    gatewayProvisionMs: 0,
    accessPointProvisionMs: 0,
    deprovisionMs: 0,
    ...over,
  };
}

export interface Harness {
  emulator: Ec2Emulator;
  faults: FaultRegistry;
  clock: FakeClock;
  profile: Profile;
  url: string;
  ec2: EC2Client;
  client(region: string): EC2Client;
  close(): Promise<void>;
}

export async function startHarness(opts: { eniQuota?: number } = {}): Promise<Harness> {
  const faults = new FaultRegistry();
  const clock = new FakeClock();
  const profile = testProfile();
  const emulator = new Ec2Emulator({ faults, profile: () => profile, clock, eniQuota: opts.eniQuota });
  const server = await startEc2TestServer(emulator);
  const clients: EC2Client[] = [];
  const client = (region: string): EC2Client => {
    const c = new EC2Client({
      endpoint: server.url,
      region,
      maxAttempts: 1,
      credentials: { accessKeyId: SEED.awsAccessKeyId, secretAccessKey: SEED.awsSecretAccessKey },
    });
    clients.push(c);
    return c;
  };
  return {
    emulator,
    faults,
    clock,
    profile,
    url: server.url,
    ec2: client(SEED.region),
    client,
    close: async () => {
      for (const c of clients) c.destroy();
      await server.close();
    },
  };
}

/** The error a promise rejects with, as the SDK reports it. */
export async function ec2Error(p: Promise<unknown>): Promise<EC2ServiceException> {
  try {
    await p;
  } catch (e) {
    if (e instanceof EC2ServiceException) return e;
    throw e;
  }
  throw new Error('expected the call to fail');
}

export const VPC = SEED.vpc.vpcId;
export const OTHER_VPC = SEED.otherVpc.vpcId;
export const SUBNET_A = SEED.subnets[0].subnetId;
export const SUBNET_B = SEED.subnets[1].subnetId;
export const SUBNET_TINY = SEED.subnets[3].subnetId;
export const SUBNET_OTHER = SEED.otherSubnets[0].subnetId;
export const CONFLUENT = SEED.confluent.gatewayAccountId;
