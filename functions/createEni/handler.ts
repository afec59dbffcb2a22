import { makeHandler } from '#lib/handler.js';
import { defaultDeps } from '#lib/deps.js';
import type { CreateEniInput } from '#lib/contracts.js';
import { createEni } from '#lib/steps/provision.js';

export const handler = makeHandler('createEni', (input: CreateEniInput) => createEni(input, defaultDeps()));
