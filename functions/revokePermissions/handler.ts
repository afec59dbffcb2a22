import { makeHandler } from '#lib/handler.js';
import { defaultDeps } from '#lib/deps.js';
import type { TeardownContext } from '#lib/contracts.js';
import { revokePermissions } from '#lib/steps/teardown.js';

export const handler = makeHandler('revokePermissions', (input: TeardownContext) =>
  revokePermissions(input, defaultDeps()),
);
