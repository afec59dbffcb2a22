/**
 * The sandbox's Secrets Manager (AWS JSON 1.1, x-amz-target secretsmanager.*): only GetSecretValue of the
 * seeded Confluent Cloud API key (SEED.confluentSecretArn), by ARN, full name or name without the suffix.
 */
import { randomUUID } from 'node:crypto';
import { awsJsonResponder, readAwsJsonBody } from '../awsJson.js';
import { SEED } from '../seed.js';
import type { SandboxRequest, SandboxResponse } from '../types.js';

export const SECRETS_MANAGER_TARGET_PREFIX = 'secretsmanager.';

/** A request whose x-amz-target is `secretsmanager.<Operation>`. */
export function handleSecretsManager(req: SandboxRequest, target: string): SandboxResponse {
  const respond = awsJsonResponder('1.1', randomUUID());
  if (target !== 'secretsmanager.GetSecretValue')
    return respond(400, { __type: 'UnknownOperationException', message: `${target} is not emulated` });
  let body: { SecretId?: string };
  try {
    body = readAwsJsonBody(req, (m) => new Error(m));
  } catch (err) {
    return respond(400, { __type: 'SerializationException', message: (err as Error).message });
  }
  const name = SEED.confluentSecretArn.split(':secret:')[1];
  const id = body.SecretId;
  if (id !== SEED.confluentSecretArn && id !== name && id !== name.replace(/-[A-Za-z0-9]{6}$/, '')) {
    return respond(400, {
      __type: 'ResourceNotFoundException',
      message: "Secrets Manager can't find the specified secret.",
    });
  }
  return respond(200, {
    ARN: SEED.confluentSecretArn,
    Name: name,
    VersionId: '00000000-0000-4000-8000-000000000001',
    VersionStages: ['AWSCURRENT'],
    SecretString: JSON.stringify({ key: SEED.confluent.apiKey, secret: SEED.confluent.apiSecret }),
    CreatedDate: 1767225600,
  });
}
