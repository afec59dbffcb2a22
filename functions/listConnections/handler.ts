import { makeHandler } from '#lib/handler.js';
import { defaultDeps } from '#lib/deps.js';
import { listConnections, type DriftRunState } from '#lib/steps/drift.js';

export const handler = makeHandler('listConnections', (input: DriftRunState) => listConnections(input, defaultDeps()));
