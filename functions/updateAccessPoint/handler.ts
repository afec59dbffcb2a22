import { makeHandler } from '#lib/handler.js';
import { defaultDeps } from '#lib/deps.js';
import { updateAccessPointRoutes, type UpdateContext } from '#lib/update/steps.js';

export const handler = makeHandler('updateAccessPoint', (ctx: UpdateContext) =>
  updateAccessPointRoutes(ctx, defaultDeps()),
);
