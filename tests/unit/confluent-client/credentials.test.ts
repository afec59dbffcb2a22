import { describe, expect, it } from '@jest/globals';
import { CONFLUENT_SECRET_INVALID_MESSAGE, parseConfluentSecret } from '#lib/confluent/credentials.js';

describe('parseConfluentSecret (the one place the secret is parsed)', () => {
  it('JSON {"key","secret"} -> credentials', () => {
    expect(parseConfluentSecret('{"key":"K1","secret":"S1"}')).toEqual({ key: 'K1', secret: 'S1' });
  });

  it.each([
    ['not JSON', 'oops-hunter2 {"key"'],
    ['a JSON string', '"hunter2"'],
    ['a JSON list', '["hunter2"]'],
    ['no key', '{"secret":"hunter2"}'],
    ['an empty secret', '{"key":"hunter2","secret":" "}'],
    ['a number as secret', '{"key":"hunter2","secret":12}'],
    ['binary', new Uint8Array([104, 117, 110])],
  ])('%s: ConfluentSecretInvalid with the fixed message, no part of the value', (_what, raw) => {
    let err: Error | undefined;
    try {
      parseConfluentSecret(raw);
    } catch (e) {
      err = e as Error;
    }
    expect(err?.name).toBe('ConfluentSecretInvalid');
    expect(err?.message).toBe(CONFLUENT_SECRET_INVALID_MESSAGE);
    expect(err?.message).not.toContain('hunter2');
    expect((err as { cause?: unknown }).cause).toBeUndefined();
  });
});
