import { makeHandler } from '#lib/handler.js';
import { defaultDeps } from '#lib/deps.js';
import { deleteSecurityGroupStep, type TeardownContext } from '#lib/steps/teardown.js';

export const handler = makeHandler('deleteSecurityGroup', (input: TeardownContext) =>
  deleteSecurityGroupStep(input, defaultDeps()),
);
