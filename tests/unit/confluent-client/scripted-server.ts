/** A node:http server on 127.0.0.1:0 that answers a scripted queue of responses and records requests. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path plus query, exactly as received. */
  url: string;
  pathname: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  bodyText: string;
  /** Parsed JSON body, or undefined when there is no body. */
  body: unknown;
}

export interface CannedResponse {
  status: number;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string is sent as is. */
  body?: unknown;
}

/** 'destroy' closes the socket without answering; 'hang' never answers. */
export type Step =
  | CannedResponse
  | 'destroy'
  | 'hang'
  | ((req: RecordedRequest) => CannedResponse | 'destroy' | 'hang');

export interface ScriptedServer {
  baseUrl: string;
  requests: RecordedRequest[];
  /** Appends steps; when the queue is empty, the server answers 599 (a test bug). */
  script(...steps: Step[]): void;
  close(): Promise<void>;
}

export async function startScriptedServer(): Promise<ScriptedServer> {
  const requests: RecordedRequest[] = [];
  const queue: Step[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const bodyText = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        pathname: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        bodyText,
        body: bodyText === '' ? undefined : JSON.parse(bodyText),
      };
      requests.push(recorded);
      let step = queue.shift() ?? { status: 599, body: { message: 'scripted server: queue empty' } };
      if (typeof step === 'function') step = step(recorded);
      if (step === 'destroy') {
        req.socket.destroy();
        return;
      }
      if (step === 'hang') return;
      const headers: Record<string, string> = { ...(step.headers ?? {}) };
      let payload = '';
      if (step.body !== undefined) {
        if (typeof step.body === 'string') {
          payload = step.body;
        } else {
          payload = JSON.stringify(step.body);
          headers['content-type'] ??= 'application/json';
        }
      }
      res.writeHead(step.status, headers);
      res.end(step.status === 204 ? undefined : payload);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    script: (...steps) => void queue.push(...steps),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
