import { makeHandler } from '#lib/handler.js';
import { defaultDeps } from '#lib/deps.js';
import { finishTeardown } from '#lib/steps/teardown.js';

export const handler = makeHandler('finishTeardown', (input: Parameters<typeof finishTeardown>[0]) =>
  finishTeardown(input, defaultDeps()),
);
