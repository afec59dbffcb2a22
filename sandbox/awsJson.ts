/** The AWS JSON protocols (1.0 / 1.1) shared by the sandbox's Step Functions, EventBridge and Secrets Manager. */
import type { SandboxRequest, SandboxResponse } from './types.js';

/** A responder that answers with the protocol's content type and one request id per call. */
export function awsJsonResponder(
  version: '1.0' | '1.1',
  requestId: string,
): (status: number, body: unknown) => SandboxResponse {
  return (status, body) => ({
    status,
    headers: { 'content-type': `application/x-amz-json-${version}`, 'x-amzn-requestid': requestId },
    body: JSON.stringify(body),
  });
}

/** The request's JSON body ({} when empty); `onMalformed` builds the service's own SerializationException. */
// biome-ignore lint/suspicious/noExplicitAny: the body is the caller's to check field by field (each AWS JSON service validates its own input shapes and answers ValidationException itself)
export function readAwsJsonBody(req: SandboxRequest, onMalformed: (message: string) => Error): any {
  if (!req.body?.length) return {};
  let body: unknown;
  try {
    body = JSON.parse(req.body.toString('utf8'));
  } catch {
    throw onMalformed('Start of structure or map found where not expected');
  }
  return body ?? {};
}
