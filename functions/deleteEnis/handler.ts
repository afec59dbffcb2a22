import { makeHandler } from '#lib/handler.js';
import { defaultDeps } from '#lib/deps.js';
import type { TeardownContext } from '#lib/contracts.js';
import { deleteEnis } from '#lib/steps/teardown.js';

export const handler = makeHandler('deleteEnis', (input: TeardownContext) => deleteEnis(input, defaultDeps()));
