/**
 * A stand-in for CloudFormation's pre-signed ResponseURLs (S3): what a custom resource answers is stored here.
 *   PUT /_sandbox/cfn-responses/{anything}   stores the body (JSON when it parses, else the text); 200
 *   GET /_sandbox/cfn-responses              [{ "path", "body" }] in arrival order
 * Reset clears it.
 */
import type { SandboxRequest, SandboxResponse } from '../types.js';

export const CFN_RESPONSES_PATH = '/_sandbox/cfn-responses';

export interface CfnResponseEntry {
  path: string;
  body: unknown;
}

export class CfnResponseReceiver {
  private entries: CfnResponseEntry[] = [];

  matches(req: SandboxRequest): boolean {
    return req.path === CFN_RESPONSES_PATH || req.path.startsWith(`${CFN_RESPONSES_PATH}/`);
  }

  list(): CfnResponseEntry[] {
    return this.entries.map((e) => ({ ...e }));
  }

  reset(): void {
    this.entries = [];
  }

  handle(req: SandboxRequest): SandboxResponse {
    const json = (status: number, body: unknown): SandboxResponse => ({
      status,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body, null, 2),
    });
    if (req.method === 'GET' && req.path.replace(/\/+$/, '') === CFN_RESPONSES_PATH) return json(200, this.list());
    if (req.method === 'PUT' && req.path.startsWith(`${CFN_RESPONSES_PATH}/`)) {
      const text = req.body.toString('utf8');
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        /* kept as text */
      }
      this.entries.push({ path: req.path, body });
      return { status: 200, headers: {}, body: '' };
    }
    return json(405, {
      message: `${req.method} ${req.path}: use PUT ${CFN_RESPONSES_PATH}/{anything} or GET ${CFN_RESPONSES_PATH}`,
    });
  }
}
