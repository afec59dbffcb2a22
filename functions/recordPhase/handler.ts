import { makeHandler } from '#lib/handler.js';
import { defaultDeps } from '#lib/deps.js';
import type { RecordPhaseInput } from '#lib/contracts.js';
import { recordPhase } from '#lib/steps/provision.js';

export const handler = makeHandler('recordPhase', (input: RecordPhaseInput) => recordPhase(input, defaultDeps()));
