import { makeHandler } from '#lib/handler.js';
import { defaultDeps } from '#lib/deps.js';
import type { OutcomeInput } from '#lib/contracts.js';
import { recordOutcome } from '#lib/steps/outcome.js';

export const handler = makeHandler('recordOutcome', (input: OutcomeInput) => recordOutcome(input, defaultDeps()));
