/** Interfaces between the sandbox's emulators and its single HTTP front door (sandbox/server.ts). */
import type { IncomingHttpHeaders } from 'node:http';

export interface SandboxRequest {
  method: string;
  /** Path without the query string, e.g. "/networking/v1/gateways/gw-1". */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface SandboxResponse {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

/** Time source. The sandbox uses real milliseconds; phase durations are configured per profile. */
export interface Clock {
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };

/** The sandbox's latency profile (docs/architecture.md section 9). */
export type ProfileName = 'fast' | 'realistic';
export interface Profile {
  name: ProfileName;
  /** Multiplier applied to ASL Wait seconds and Retry intervals (e.g. 0.001: 30 s -> 30 ms). */
  timeFactor: number;
  /** Per-action EC2 token buckets (https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html). */
  ec2TokenBuckets: boolean;
  /** Extra latency per EC2 call, ms (actions not in ec2ActionLatencyMs). */
  ec2LatencyMs: number;
  /** Per-action EC2 latency, ms (e.g. { CreateNetworkInterface: 120 }). */
  ec2ActionLatencyMs?: Record<string, number>;
  /** Extra latency per Confluent call, ms (methods not in confluentMethodLatencyMs). */
  confluentLatencyMs: number;
  /** Per-method Confluent latency, ms (e.g. { POST: 300 }). */
  confluentMethodLatencyMs?: Record<string, number>;
  /** Lambda invoke overhead, ms. */
  lambdaOverheadMs: number;
  /** Confluent phase durations, ms. */
  gatewayProvisionMs: number;
  accessPointProvisionMs: number;
  deprovisionMs: number;
}
