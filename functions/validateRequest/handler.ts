import { makeHandler } from '#lib/handler.js';
import { defaultDeps } from '#lib/deps.js';
import { validateRequest, type ValidateInput } from '#lib/steps/validate.js';

export const handler = makeHandler('validateRequest', (input: ValidateInput) => validateRequest(input, defaultDeps()));
