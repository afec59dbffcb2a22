/** The configured logger lives in observability.ts (with metrics and the tracer); this name is kept for imports. */
export { logger } from './observability.js';
