import { makeHandler } from '#lib/handler.js';
import { defaultDeps } from '#lib/deps.js';
import type { UpdateContext } from '#lib/contracts.js';
import { updateAccessPoint } from '#lib/steps/update.js';

export const handler = makeHandler('updateAccessPoint', (ctx: UpdateContext) => updateAccessPoint(ctx, defaultDeps()));
