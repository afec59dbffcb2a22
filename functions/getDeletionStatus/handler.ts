import { makeHandler } from '#lib/handler.js';
import { defaultDeps } from '#lib/deps.js';
import { getDeletionStatus } from '#lib/steps/teardown.js';

export const handler = makeHandler('getDeletionStatus', (input: Parameters<typeof getDeletionStatus>[0]) =>
  getDeletionStatus(input, defaultDeps()),
);
