import { makeHandler } from '#lib/handler.js';
import { defaultDeps } from '#lib/deps.js';
import type { GatewayStatusInput } from '#lib/contracts.js';
import { getGatewayStatus } from '#lib/steps/provision.js';

export const handler = makeHandler('getGatewayStatus', (input: GatewayStatusInput) =>
  getGatewayStatus(input, defaultDeps()),
);
