import { makeHandler } from '#lib/handler.js';
import { defaultDeps } from '#lib/deps.js';
import { planRequest, type PlanInput } from '#lib/steps/plan.js';

export const handler = makeHandler('planRequest', (input: PlanInput) => planRequest(input, defaultDeps()));
