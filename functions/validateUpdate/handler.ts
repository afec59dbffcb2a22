import { makeHandler } from '#lib/handler.js';
import { defaultDeps } from '#lib/deps.js';
import type { ValidateUpdateInput } from '#lib/contracts.js';
import { validateUpdate } from '#lib/steps/update.js';

export const handler = makeHandler('validateUpdate', (ev: ValidateUpdateInput) => validateUpdate(ev, defaultDeps()));
