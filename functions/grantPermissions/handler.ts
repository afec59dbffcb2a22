import { makeHandler } from '#lib/handler.js';
import { defaultDeps } from '#lib/deps.js';
import { grantPermissions, type GrantInput } from '#lib/steps/provision.js';

export const handler = makeHandler('grantPermissions', (input: GrantInput) => grantPermissions(input, defaultDeps()));
