import { makeHandler } from '#lib/handler.js';
import { defaultDeps } from '#lib/deps.js';
import { checkDrift } from '#lib/steps/drift.js';

export const handler = makeHandler('checkDrift', (input: Parameters<typeof checkDrift>[0]) =>
  checkDrift(input, defaultDeps()),
);
