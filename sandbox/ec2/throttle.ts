/**
 * EC2 request throttling: one token bucket per Region and per action (AWS: https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html).
 * Buckets refill continuously at `refill` tokens per second up to `max`, measured on the injected clock.
 */
export interface BucketSpec {
  max: number;
  refill: number;
}

const DESCRIBE: BucketSpec = { max: 100, refill: 20 };
const UNFILTERED_DESCRIBE: BucketSpec = { max: 50, refill: 10 };
const MUTATING: BucketSpec = { max: 50, refill: 5 };
const RESOURCE_INTENSIVE: BucketSpec = { max: 50, refill: 5 };

const SPECS: Record<string, BucketSpec> = {
  DescribeVpcs: DESCRIBE,
  DescribeSubnets: DESCRIBE,
  DescribeAvailabilityZones: DESCRIBE,
  DescribeNetworkInterfacePermissions: DESCRIBE,
  DescribeNetworkInterfaces: DESCRIBE,
  DescribeSecurityGroups: DESCRIBE,
  'DescribeNetworkInterfaces#unfiltered': UNFILTERED_DESCRIBE,
  'DescribeSecurityGroups#unfiltered': UNFILTERED_DESCRIBE,
  CreateNetworkInterfacePermission: MUTATING,
  DeleteNetworkInterfacePermission: MUTATING,
  CreateSecurityGroup: MUTATING,
  RevokeSecurityGroupEgress: MUTATING,
  DeleteSecurityGroup: MUTATING,
  AuthorizeSecurityGroupIngress: RESOURCE_INTENSIVE,
  AuthorizeSecurityGroupEgress: RESOURCE_INTENSIVE,
  RevokeSecurityGroupIngress: RESOURCE_INTENSIVE,
  CreateNetworkInterface: { max: 100, refill: 5 },
  DeleteNetworkInterface: { max: 100, refill: 5 },
  CreateTags: { max: 100, refill: 10 },
};

export function bucketSpec(key: string): BucketSpec {
  return SPECS[key] ?? MUTATING;
}

export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  /** Takes one token from bucket `key`; false when it is empty. */
  take(key: string, now: number): boolean {
    const spec = bucketSpec(key);
    const b = this.buckets.get(key) ?? { tokens: spec.max, at: now };
    b.tokens = Math.min(spec.max, b.tokens + (Math.max(0, now - b.at) / 1000) * spec.refill);
    b.at = now;
    this.buckets.set(key, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  clear(): void {
    this.buckets.clear();
  }
}
