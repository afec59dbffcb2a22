import { makeHandler } from '#lib/handler.js';
import { defaultDeps } from '#lib/deps.js';
import { recordUpdate, type RecordUpdateInput } from '#lib/update/steps.js';

export const handler = makeHandler('recordUpdate', (input: RecordUpdateInput) => recordUpdate(input, defaultDeps()));
