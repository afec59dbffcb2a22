/** A tiny HTTP server for tests: 127.0.0.1, a random port, every request handed to one Ec2Emulator. */
import { startLoopbackServer } from '../http.js';
import { SEED } from '../seed.js';
import type { Ec2Emulator } from './index.js';
import { regionFromAuthorization } from './region.js';

export function startEc2TestServer(emulator: Ec2Emulator): Promise<{ url: string; close(): Promise<void> }> {
  return startLoopbackServer((req) =>
    emulator.handle(req, regionFromAuthorization(req.headers.authorization) ?? SEED.region),
  );
}
