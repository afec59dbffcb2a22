import { makeHandler } from '#lib/handler.js';
import { defaultDeps } from '#lib/deps.js';
import type { TeardownContext } from '#lib/contracts.js';
import { deleteGateway } from '#lib/steps/teardown.js';

export const handler = makeHandler('deleteGateway', (input: TeardownContext) => deleteGateway(input, defaultDeps()));
