import { makeHandler } from '#lib/handler.js';
import { defaultDeps } from '#lib/deps.js';
import { updateSecurityGroupIngress, type UpdateContext } from '#lib/update/steps.js';

export const handler = makeHandler('updateSecurityGroup', (ctx: UpdateContext) =>
  updateSecurityGroupIngress(ctx, defaultDeps()),
);
