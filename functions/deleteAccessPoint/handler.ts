import { makeHandler } from '#lib/handler.js';
import { defaultDeps } from '#lib/deps.js';
import type { TeardownContext } from '#lib/contracts.js';
import { deleteAccessPoint } from '#lib/steps/teardown.js';

export const handler = makeHandler('deleteAccessPoint', (input: TeardownContext) =>
  deleteAccessPoint(input, defaultDeps()),
);
