import { makeHandler } from '#lib/handler.js';
import { defaultDeps } from '#lib/deps.js';
import { deleteGatewayStep, type TeardownContext } from '#lib/steps/teardown.js';

export const handler = makeHandler('deleteGateway', (input: TeardownContext) =>
  deleteGatewayStep(input, defaultDeps()),
);
