import { makeHandler } from '#lib/handler.js';
import { defaultDeps } from '#lib/deps.js';
import { createEni, type CreateEniInput } from '#lib/steps/provision.js';

export const handler = makeHandler('createEni', (input: CreateEniInput) => createEni(input, defaultDeps()));
