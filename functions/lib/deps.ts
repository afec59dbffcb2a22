/** What the steps depend on, passed in explicitly (tests build their own). */
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ConfluentClient } from './confluent/index.js';
import type { Config } from './config.js';
import type { StateStore } from './state.js';
import type { EventPublisher } from './publisher.js';
import { config } from './config.js';
import { confluent, ec2, eventPublisher, executionStatus, stateStore } from './clients.js';

export interface Deps {
  config: Config;
  store: StateStore;
  publisher: EventPublisher;
  ec2: (region: string) => EC2Client;
  confluent: ConfluentClient;
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
