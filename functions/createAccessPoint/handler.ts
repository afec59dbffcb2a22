import { makeHandler } from '#lib/handler.js';
import { defaultDeps } from '#lib/deps.js';
import type { CreateAccessPointInput } from '#lib/contracts.js';
import { createAccessPoint } from '#lib/steps/provision.js';

export const handler = makeHandler('createAccessPoint', (input: CreateAccessPointInput) =>
  createAccessPoint(input, defaultDeps()),
);
