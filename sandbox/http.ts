/** The plumbing between node:http and the emulators' SandboxRequest/SandboxResponse. */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SandboxRequest, SandboxResponse } from './types.js';

export async function readSandboxRequest(req: IncomingMessage): Promise<SandboxRequest> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  return {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: url.searchParams,
    headers: req.headers,
    body: Buffer.concat(chunks),
  };
}

/** A bare server on 127.0.0.1 and a free port that hands every request to `handle` (emulator unit tests). */
export async function startLoopbackServer(
  handle: (req: SandboxRequest) => Promise<SandboxResponse>,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    void (async () => {
      let out: SandboxResponse;
      try {
        out = await handle(await readSandboxRequest(req));
      } catch (err) {
        out = { status: 500, headers: { 'content-type': 'text/plain' }, body: String(err) };
      }
      res.writeHead(out.status, out.headers);
      res.end(out.body);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
