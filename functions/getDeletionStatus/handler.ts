import { makeHandler } from '#lib/handler.js';
import { defaultDeps } from '#lib/deps.js';
import type { DeletionStatusInput } from '#lib/contracts.js';
import { getDeletionStatus } from '#lib/steps/teardown.js';

export const handler = makeHandler('getDeletionStatus', (input: DeletionStatusInput) =>
  getDeletionStatus(input, defaultDeps()),
);
