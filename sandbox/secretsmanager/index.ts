/**
 * The sandbox's Secrets Manager (AWS JSON 1.1, x-amz-target secretsmanager.*): GetSecretValue and PutSecretValue of
 * the seeded Confluent Cloud API key (SEED.confluentSecretArn), by ARN, full name or name without the suffix.
 * PutSecretValue stores any text as it is (as AWS does), so a test can store a malformed secret; reset() restores
 * the seed.
 */
import { randomUUID } from 'node:crypto';
import { awsJsonResponder, readAwsJsonBody } from '../awsJson.js';
import { SEED } from '../seed.js';
import type { SandboxRequest, SandboxResponse } from '../types.js';

export const SECRETS_MANAGER_TARGET_PREFIX = 'secretsmanager.';

const seededSecretString = (): string =>
  JSON.stringify({ key: SEED.confluent.apiKey, secret: SEED.confluent.apiSecret });

export class SecretsManager {
  private secretString = seededSecretString();
  private version = 1;

  /** Back to the seeded secret. */
  reset(): void {
    this.secretString = seededSecretString();
    this.version = 1;
  }

  /** A request whose x-amz-target is `secretsmanager.<Operation>`. */
  handle(req: SandboxRequest, target: string): SandboxResponse {
    const respond = awsJsonResponder('1.1', randomUUID());
    if (target !== 'secretsmanager.GetSecretValue' && target !== 'secretsmanager.PutSecretValue')
      return respond(400, { __type: 'UnknownOperationException', message: `${target} is not emulated` });
    let body: { SecretId?: string; SecretString?: unknown };
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
    const versionId = () => `00000000-0000-4000-8000-${String(this.version).padStart(12, '0')}`;
    if (target === 'secretsmanager.PutSecretValue') {
      if (typeof body.SecretString !== 'string')
        return respond(400, { __type: 'InvalidParameterException', message: 'SecretString: required (text)' });
      this.secretString = body.SecretString;
      this.version += 1;
      return respond(200, {
        ARN: SEED.confluentSecretArn,
        Name: name,
        VersionId: versionId(),
        VersionStages: ['AWSCURRENT'],
      });
    }
    return respond(200, {
      ARN: SEED.confluentSecretArn,
      Name: name,
      VersionId: versionId(),
      VersionStages: ['AWSCURRENT'],
      SecretString: this.secretString,
      CreatedDate: 1767225600,
    });
  }
}
