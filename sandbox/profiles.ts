/** Latency profiles (docs/architecture.md section 9): `fast` for tests, `realistic` for rehearsals and the soak benchmark. */
import type { Profile, ProfileName } from './types.js';

export const PROFILES: Record<ProfileName, Profile> = {
  fast: {
    name: 'fast',
    timeFactor: 0.001,
    ec2TokenBuckets: false,
    ec2LatencyMs: 0,
    confluentLatencyMs: 0,
    lambdaOverheadMs: 0,
    gatewayProvisionMs: 20,
    accessPointProvisionMs: 20,
    deprovisionMs: 10,
  },
  realistic: {
    // Minutes of Confluent provisioning become seconds; EC2's per-action token buckets are on.
    // Latencies are wire latencies of single calls (not scaled): describes are quick, creates and deletes slower.
    name: 'realistic',
    timeFactor: 0.01,
    ec2TokenBuckets: true,
    ec2LatencyMs: 40,
    confluentLatencyMs: 80,
    lambdaOverheadMs: 25,
    ec2ActionLatencyMs: {
      CreateNetworkInterface: 120,
      DeleteNetworkInterface: 110,
      CreateSecurityGroup: 90,
      DeleteSecurityGroup: 90,
      AuthorizeSecurityGroupIngress: 70,
      AuthorizeSecurityGroupEgress: 70,
      RevokeSecurityGroupEgress: 70,
      CreateNetworkInterfacePermission: 60,
      DeleteNetworkInterfacePermission: 60,
      CreateTags: 50,
    },
    confluentMethodLatencyMs: { POST: 300, PATCH: 250, DELETE: 200, GET: 80 },
    gatewayProvisionMs: 1500,
    accessPointProvisionMs: 2500,
    deprovisionMs: 800,
  },
};

export function isProfileName(s: unknown): s is ProfileName {
  return s === 'fast' || s === 'realistic';
}
