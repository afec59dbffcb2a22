import { makeHandler } from '#lib/handler.js';
import { defaultDeps } from '#lib/deps.js';
import type { FinishTeardownInput } from '#lib/contracts.js';
import { finishTeardown } from '#lib/steps/teardown.js';

export const handler = makeHandler('finishTeardown', (input: FinishTeardownInput) =>
  finishTeardown(input, defaultDeps()),
);
