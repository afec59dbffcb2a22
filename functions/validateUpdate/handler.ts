import { makeHandler } from '#lib/handler.js';
import { defaultDeps } from '#lib/deps.js';
import { validateUpdate } from '#lib/update/steps.js';

export const handler = makeHandler(
  'validateUpdate',
  (ev: { input: unknown; execution: { arn: string; name: string } }) => validateUpdate(ev, defaultDeps()),
);
