import { makeHandler } from '#lib/handler.js';
import { defaultDeps } from '#lib/deps.js';
import type { TeardownContext } from '#lib/contracts.js';
import { deleteSecurityGroup } from '#lib/steps/teardown.js';

export const handler = makeHandler('deleteSecurityGroup', (input: TeardownContext) =>
  deleteSecurityGroup(input, defaultDeps()),
);
