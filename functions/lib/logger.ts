/** The one configured logger (Powertools). Level from POWERTOOLS_LOG_LEVEL; the sandbox sets SILENT. */
import { Logger } from '@aws-lambda-powertools/logger';
import { serviceName } from './config.js';

export const logger = new Logger({ serviceName: serviceName() });
