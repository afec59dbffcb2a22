import { makeHandler } from '#lib/handler.js';
import { defaultDeps } from '#lib/deps.js';
import type { ValidateInput } from '#lib/contracts.js';
import { validateRequest } from '#lib/steps/validate.js';

export const handler = makeHandler('validateRequest', (input: ValidateInput) => validateRequest(input, defaultDeps()));
