/**
 * CloudFormation custom-resource responses: the body (within CloudFormation's 4 KB limit) and the HTTP PUT to the
 * pre-signed ResponseURL (an S3 URL: no content type, explicit length).
 */
import http from 'node:http';
import https from 'node:https';

/** CloudFormation refuses a response body larger than this. */
export const CFN_RESPONSE_MAX_BYTES = 4096;

export type CfnStatus = 'SUCCESS' | 'FAILED';

export interface CfnResponseBody {
  Status: CfnStatus;
  Reason?: string;
  PhysicalResourceId: string;
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
  Data?: Record<string, string>;
}

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/**
 * The JSON body CloudFormation expects, at most CFN_RESPONSE_MAX_BYTES: a long Reason is cut (with "..."), keeping
 * its start, which names the property or the failed step.
 */
export function responseBody(body: CfnResponseBody): string {
  const full = JSON.stringify(body);
  if (bytes(full) <= CFN_RESPONSE_MAX_BYTES) return full;
  const reason = body.Reason ?? '';
  let keep = reason.length;
  while (keep > 0) {
    const text = JSON.stringify({ ...body, Reason: `${reason.slice(0, keep)}...` });
    const excess = bytes(text) - CFN_RESPONSE_MAX_BYTES;
    if (excess <= 0) return text;
    keep = Math.max(0, keep - excess);
  }
  // Data alone is too large (it never is with this product's outputs): answer without it.
  const bare = JSON.stringify({ ...body, Reason: reason.slice(0, 200), Data: undefined });
  return bytes(bare) <= CFN_RESPONSE_MAX_BYTES ? bare : JSON.stringify({ ...body, Reason: '...', Data: undefined });
}

/** PUT the body to the pre-signed URL; resolves with the HTTP status (a network error rejects). */
export function putResponse(url: string, body: string, timeoutMs = 15_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const client = u.protocol === 'https:' ? https : http;
    const req = client.request(
      u,
      {
        method: 'PUT',
        headers: { 'content-type': '', 'content-length': Buffer.byteLength(body, 'utf8') },
        timeout: timeoutMs,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`PUT to the ResponseURL timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}
