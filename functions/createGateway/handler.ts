import { makeHandler } from '#lib/handler.js';
import { defaultDeps } from '#lib/deps.js';
import { createGateway } from '#lib/steps/provision.js';

export const handler = makeHandler('createGateway', (input: Parameters<typeof createGateway>[0]) =>
  createGateway(input, defaultDeps()),
);
