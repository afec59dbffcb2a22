import { makeHandler } from '#lib/handler.js';
import { defaultDeps } from '#lib/deps.js';
import type { RecordUpdateInput } from '#lib/contracts.js';
import { recordUpdate } from '#lib/steps/update.js';

export const handler = makeHandler('recordUpdate', (input: RecordUpdateInput) => recordUpdate(input, defaultDeps()));
