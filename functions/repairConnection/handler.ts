import { makeHandler } from '#lib/handler.js';
import { defaultDeps } from '#lib/deps.js';
import { repairConnection, type RepairContext } from '#lib/steps/repair.js';

export const handler = makeHandler('repairConnection', (input: RepairContext) =>
  repairConnection(input, defaultDeps()),
);
