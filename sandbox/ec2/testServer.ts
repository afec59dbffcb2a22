/** A tiny HTTP server for tests: 127.0.0.1, a random port, every request handed to one Ec2Emulator. */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SEED } from '../seed.js';
import type { SandboxRequest } from '../types.js';
import type { Ec2Emulator } from './index.js';
import { regionFromAuthorization } from './region.js';

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export async function startEc2TestServer(emulator: Ec2Emulator): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    void (async () => {
      try {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        const sreq: SandboxRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body: await readBody(req) };
        const region = regionFromAuthorization(req.headers.authorization) ?? SEED.region;
        const out = await emulator.handle(sreq, region);
        res.writeHead(out.status, out.headers);
        res.end(out.body);
      } catch (err) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(err));
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve, reject) => {
      server.closeAllConnections();
      server.close((e) => (e ? reject(e) : resolve()));
    }),
  };
}
