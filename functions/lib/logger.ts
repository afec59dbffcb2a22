/** The one configured logger (Powertools). Level from POWERTOOLS_LOG_LEVEL; the sandbox sets SILENT. */
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'pni-provisioner' });
