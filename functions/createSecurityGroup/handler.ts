import { makeHandler } from '#lib/handler.js';
import { defaultDeps } from '#lib/deps.js';
import type { ProvisionContext } from '#lib/contracts.js';
import { createSecurityGroup } from '#lib/steps/provision.js';

export const handler = makeHandler('createSecurityGroup', (input: ProvisionContext) =>
  createSecurityGroup(input, defaultDeps()),
);
