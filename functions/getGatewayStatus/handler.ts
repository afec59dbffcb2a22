import { makeHandler } from '#lib/handler.js';
import { defaultDeps } from '#lib/deps.js';
import { getGatewayStatus } from '#lib/steps/provision.js';

export const handler = makeHandler('getGatewayStatus', (input: Parameters<typeof getGatewayStatus>[0]) =>
  getGatewayStatus(input, defaultDeps()),
);
