import { makeHandler } from '#lib/handler.js';
import { defaultDeps } from '#lib/deps.js';
import { deleteAccessPointStep, type TeardownContext } from '#lib/steps/teardown.js';

export const handler = makeHandler('deleteAccessPoint', (input: TeardownContext) =>
  deleteAccessPointStep(input, defaultDeps()),
);
