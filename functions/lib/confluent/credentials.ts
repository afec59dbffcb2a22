/**
 * The Confluent Cloud API key as stored in Secrets Manager, parsed in this one place. A malformed secret fails with a
 * fixed message that contains no part of it: JSON.parse's own message quotes the text it choked on, and error
 * messages end up in logs, the execution history and the state record.
 */
import { ConfluentSecretInvalid } from '../errors.js';
import type { ConfluentCredentials } from './client.js';

export const CONFLUENT_SECRET_INVALID_MESSAGE =
  'the Confluent Cloud API key secret (CONFLUENT_SECRET_ARN) must hold JSON {"key": "<Cloud API key>", "secret": "<Cloud API secret>"} with two non-empty strings; fix the stored value (it is not shown here)';

/** SecretString (or an already parsed value) -> credentials, or ConfluentSecretInvalid with the fixed message. */
export function parseConfluentSecret(raw: unknown): ConfluentCredentials {
  let value: unknown = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      throw new ConfluentSecretInvalid(CONFLUENT_SECRET_INVALID_MESSAGE);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ConfluentSecretInvalid(CONFLUENT_SECRET_INVALID_MESSAGE);
  const { key, secret } = value as { key?: unknown; secret?: unknown };
  if (typeof key !== 'string' || key.trim() === '' || typeof secret !== 'string' || secret.trim() === '')
    throw new ConfluentSecretInvalid(CONFLUENT_SECRET_INVALID_MESSAGE);
  return { key, secret };
}
