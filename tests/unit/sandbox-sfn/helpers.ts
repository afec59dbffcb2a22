import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FaultRegistry } from '#sandbox/faults.js';
import { loadServerlessConfig, type ServerlessConfig } from '#sandbox/serverlessConfig.js';
import { StepFunctionsService } from '#sandbox/stepfunctions/index.js';
import { EventBridgeService } from '#sandbox/eventbridge/index.js';
import type { Profile, SandboxRequest, SandboxResponse } from '#sandbox/types.js';
import { fixtureState, type FixtureState } from './fixtures/functions/state.js';

export const FIXTURE_ROOT = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
export const ACCOUNT = '111122223333';
export const REGION = 'us-west-2';

export function fastProfile(timeFactor = 0.001): Profile {
  return {
    name: 'fast',
    timeFactor,
    ec2TokenBuckets: false,
    ec2LatencyMs: 0,
    confluentLatencyMs: 0,
    lambdaOverheadMs: 0,
    gatewayProvisionMs: 0,
    accessPointProvisionMs: 0,
    deprovisionMs: 0,
  };
}

export interface Harness {
  config: ServerlessConfig;
  sfn: StepFunctionsService;
  eb: EventBridgeService;
  faults: FaultRegistry;
  profile: Profile;
  endpoint: string;
  state: FixtureState;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const config = loadServerlessConfig(FIXTURE_ROOT);
  const faults = new FaultRegistry();
  const profile = fastProfile();
  const sfn = new StepFunctionsService({ config, accountId: ACCOUNT, region: REGION, profile: () => profile, faults });
  const eb = new EventBridgeService({ config, stepFunctions: sfn, accountId: ACCOUNT, region: REGION });
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const sreq: SandboxRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      const target = String(req.headers['x-amz-target'] ?? '');
      const p: Promise<SandboxResponse> = target.startsWith('AWSEvents.') ? eb.handle(sreq) : sfn.handle(sreq);
      p.then(
        (r) => {
          res.writeHead(r.status, r.headers);
          res.end(r.body);
        },
        (e) => {
          res.writeHead(500);
          res.end(String(e));
        },
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    config,
    sfn,
    eb,
    faults,
    profile,
    endpoint: `http://127.0.0.1:${port}`,
    state: fixtureState(),
    close: async () => {
      sfn.reset();
      eb.reset();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

export const clientConfig = (endpoint: string) => ({
  endpoint,
  region: REGION,
  maxAttempts: 1,
  credentials: { accessKeyId: 'AKIASANDBOX000000001', secretAccessKey: 'sandbox-secret-access-key' },
});

export async function until<T>(fn: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
