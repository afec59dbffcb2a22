import { makeHandler } from '#lib/handler.js';
import { defaultDeps } from '#lib/deps.js';
import { beginTeardown } from '#lib/steps/teardown.js';

export const handler = makeHandler('beginTeardown', (input: Parameters<typeof beginTeardown>[0]) =>
  beginTeardown(input, defaultDeps()),
);
