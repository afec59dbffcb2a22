import { makeHandler } from '#lib/handler.js';
import { defaultDeps } from '#lib/deps.js';
import { createSecurityGroupStep } from '#lib/steps/provision.js';

export const handler = makeHandler('createSecurityGroup', (input: Parameters<typeof createSecurityGroupStep>[0]) =>
  createSecurityGroupStep(input, defaultDeps()),
);
