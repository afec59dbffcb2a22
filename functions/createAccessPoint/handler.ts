import { makeHandler } from '#lib/handler.js';
import { defaultDeps } from '#lib/deps.js';
import { createAccessPoint } from '#lib/steps/provision.js';

export const handler = makeHandler('createAccessPoint', (input: Parameters<typeof createAccessPoint>[0]) =>
  createAccessPoint(input, defaultDeps()),
);
