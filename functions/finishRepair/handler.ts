import { makeHandler } from '#lib/handler.js';
import { defaultDeps } from '#lib/deps.js';
import { finishRepair, type FinishRepairInput } from '#lib/steps/repair.js';

export const handler = makeHandler('finishRepair', (input: FinishRepairInput) => finishRepair(input, defaultDeps()));
