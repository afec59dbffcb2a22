import { makeHandler } from '#lib/handler.js';
import { defaultDeps } from '#lib/deps.js';
import type { ProvisionContext } from '#lib/contracts.js';
import { createGateway } from '#lib/steps/provision.js';

export const handler = makeHandler('createGateway', (input: ProvisionContext) => createGateway(input, defaultDeps()));
