import { makeHandler } from '#lib/handler.js';
import { defaultDeps } from '#lib/deps.js';
import { getAccessPointStatus } from '#lib/steps/provision.js';

export const handler = makeHandler('getAccessPointStatus', (input: Parameters<typeof getAccessPointStatus>[0]) =>
  getAccessPointStatus(input, defaultDeps()),
);
