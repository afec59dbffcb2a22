/** Latency profiles (ARCHITECTURE section 9): `fast` for tests, `realistic` for rehearsals and the soak benchmark. */
import type { Profile, ProfileName } from './types.js';

export const PROFILES: Record<ProfileName, Profile> = {
  fast: {
    name: 'fast', timeFactor: 0.001, ec2TokenBuckets: false, ec2LatencyMs: 0, confluentLatencyMs: 0, lambdaOverheadMs: 0,
    gatewayProvisionMs: 20, accessPointProvisionMs: 20, deprovisionMs: 10,
  },
  realistic: {
    // Minutes of Confluent provisioning become seconds; EC2's per-action token buckets are on.
    name: 'realistic', timeFactor: 0.01, ec2TokenBuckets: true, ec2LatencyMs: 40, confluentLatencyMs: 80, lambdaOverheadMs: 25,
    gatewayProvisionMs: 1500, accessPointProvisionMs: 2500, deprovisionMs: 800,
  },
};

export function isProfileName(s: unknown): s is ProfileName {
  return s === 'fast' || s === 'realistic';
}
