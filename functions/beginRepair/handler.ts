import { makeHandler } from '#lib/handler.js';
import { defaultDeps } from '#lib/deps.js';
import { beginRepair } from '#lib/steps/repair.js';

export const handler = makeHandler('beginRepair', (input: Parameters<typeof beginRepair>[0]) =>
  beginRepair(input, defaultDeps()),
);
