import { makeHandler } from '#lib/handler.js';
import { defaultDeps } from '#lib/deps.js';
import type { UpdateContext } from '#lib/contracts.js';
import { updateSecurityGroup } from '#lib/steps/update.js';

export const handler = makeHandler('updateSecurityGroup', (ctx: UpdateContext) =>
  updateSecurityGroup(ctx, defaultDeps()),
);
