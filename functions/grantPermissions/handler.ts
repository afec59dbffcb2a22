import { makeHandler } from '#lib/handler.js';
import { defaultDeps } from '#lib/deps.js';
import type { GrantPermissionsInput } from '#lib/contracts.js';
import { grantPermissions } from '#lib/steps/provision.js';

export const handler = makeHandler('grantPermissions', (input: GrantPermissionsInput) =>
  grantPermissions(input, defaultDeps()),
);
