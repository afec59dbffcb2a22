import { makeHandler } from '#lib/handler.js';
import { defaultDeps } from '#lib/deps.js';
import type { AccessPointStatusInput } from '#lib/contracts.js';
import { getAccessPointStatus } from '#lib/steps/provision.js';

export const handler = makeHandler('getAccessPointStatus', (input: AccessPointStatusInput) =>
  getAccessPointStatus(input, defaultDeps()),
);
