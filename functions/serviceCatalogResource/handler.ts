import { makeHandler } from '#lib/handler.js';
import { catalogDeps } from '#lib/catalog/deps.js';
import { serviceCatalogResource } from '#lib/steps/catalog.js';

export const handler = makeHandler('serviceCatalogResource', (event: unknown) =>
  serviceCatalogResource(event, catalogDeps()),
);
