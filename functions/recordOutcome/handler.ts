import { makeHandler } from '#lib/handler.js';
import { defaultDeps } from '#lib/deps.js';
import { recordOutcome, type OutcomeInput } from '#lib/steps/outcome.js';

export const handler = makeHandler('recordOutcome', (input: OutcomeInput) => recordOutcome(input, defaultDeps()));
