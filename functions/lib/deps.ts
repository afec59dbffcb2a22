/**
 * What the steps depend on, passed in explicitly: interfaces, not the concrete clients, so tests pass fakes
 * without casts. `defaultDeps()` wires the real ones (clients.ts).
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ConfluentClient } from './confluent/index.js';
import type { Config } from './config.js';
import type { EmittedEvent } from './events.js';
import type { RequestStore } from './state.js';
import { config } from './config.js';
import { confluent, ec2, eventPublisher, executionStatus, stateStore } from './clients.js';

/** The Confluent networking calls the steps make (ConfluentClient implements them). */
export type ConfluentApi = Pick<
  ConfluentClient,
  | 'listGateways'
  | 'getGateway'
  | 'createGateway'
  | 'deleteGateway'
  | 'listAccessPoints'
  | 'getAccessPoint'
  | 'createAccessPoint'
  | 'deleteAccessPoint'
  // in-place update (update.asl.json: egress_routes) and day-2 repair (network_interfaces, routes)
  | 'updateAccessPoint'
>;

/** Where the workflow's events go (EventPublisher puts them on EventBridge). */
export interface EventSink {
  publish(...events: EmittedEvent[]): Promise<void>;
}

export interface Deps {
  config: Config;
  store: RequestStore;
  publisher: EventSink;
  ec2: (region: string) => EC2Client;
  confluent: ConfluentApi;
  /** Step Functions execution status (to tell a stale record from a running one). */
  executionStatus: (executionArn: string) => Promise<string | undefined>;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
}

let cached: Deps | undefined;
export function defaultDeps(): Deps {
  cached ??= {
    config: config(),
    store: stateStore(),
    publisher: eventPublisher(),
    ec2,
    confluent: confluent(),
    executionStatus,
    now: () => new Date(),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  };
  return cached;
}
