/**
 * The sandbox console (GET /_sandbox/ui/): static files from sandbox/ui/static, the graph layout library from
 * node_modules, and the sample requests the Start buttons send. Everything else the page shows it reads from the
 * sandbox's own APIs (control routes, Step Functions), so this module holds no state.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SandboxRequest, SandboxResponse } from '../types.js';

export const CONSOLE_PATH = '/_sandbox/ui/';

const STATIC_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'static');
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/** A file the console needs is missing (e.g. node_modules without @dagrejs/dagre). */
export class ConsoleAssetMissing extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConsoleAssetMissing';
  }
}

function dagreFile(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('@dagrejs/dagre/package.json')), 'dist', 'dagre.esm.js');
}

/** Served files: the static folder, plus the vendored renderer under vendor/. */
function resolveAsset(rel: string): string | undefined {
  if (rel === '' || rel === 'index.html') return path.join(STATIC_DIR, 'index.html');
  if (rel === 'vendor/dagre.esm.js') return dagreFile();
  if (!/^[a-z0-9-]+\.(js|css|html|png|svg)$/.test(rel)) return undefined; // flat folder: no traversal
  return path.join(STATIC_DIR, rel);
}

function fileResponse(file: string): SandboxResponse {
  return {
    status: 200,
    headers: {
      'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-cache',
    },
    body: fs.readFileSync(file),
  };
}

const notFound = (message: string): SandboxResponse => ({
  status: 404,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ message }),
});

export class SandboxConsole {
  /** @param root the project root (events/ holds the sample requests). */
  constructor(private readonly root: string) {}

  matches(reqPath: string): boolean {
    return reqPath === CONSOLE_PATH.slice(0, -1) || reqPath.startsWith(CONSOLE_PATH);
  }

  handle(req: SandboxRequest): SandboxResponse {
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return notFound(`the console serves GET only (${req.method} ${req.path})`);
    if (req.path === CONSOLE_PATH.slice(0, -1)) return { status: 301, headers: { location: CONSOLE_PATH }, body: '' };
    const rel = req.path.slice(CONSOLE_PATH.length);
    if (rel === 'samples') return this.samples();
    const file = resolveAsset(rel);
    if (!file || !fs.existsSync(file)) {
      if (rel === 'vendor/dagre.esm.js')
        throw new ConsoleAssetMissing(`${file}: run npm ci (the console draws graphs with @dagrejs/dagre)`);
      return notFound(`the console has no file ${rel}`);
    }
    return fileResponse(file);
  }

  /** The sample provisioning request and teardown input (events/console-*.json), as the Start buttons send them. */
  private samples(): SandboxResponse {
    const read = (name: string): unknown => JSON.parse(fs.readFileSync(path.join(this.root, 'events', name), 'utf8'));
    return {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ provision: read('console-provision.json'), teardown: read('console-teardown.json') }),
    };
  }
}
