import { makeHandler } from '#lib/handler.js';
import { defaultDeps } from '#lib/deps.js';
import { revokePermissions, type TeardownContext } from '#lib/steps/teardown.js';

export const handler = makeHandler('revokePermissions', (input: TeardownContext) =>
  revokePermissions(input, defaultDeps()),
);
