import { makeHandler } from '#lib/handler.js';
import { defaultDeps } from '#lib/deps.js';
import type { BeginTeardownInput } from '#lib/contracts.js';
import { beginTeardown } from '#lib/steps/teardown.js';

export const handler = makeHandler('beginTeardown', (input: BeginTeardownInput) => beginTeardown(input, defaultDeps()));
