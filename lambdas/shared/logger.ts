import { Logger } from '@aws-lambda-powertools/logger';

/**
 * One structured JSON logger per function, built at module scope. The HTTP middleware appends the
 * request id, org and user to every line of a request. Log names and ids only: never a field value
 * of a patient record (PHI).
 */
export function createLogger(serviceName: string): Logger {
  return new Logger({
    serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? serviceName,
    // POWERTOOLS_LOG_LEVEL (read by Powertools itself) or LOG_LEVEL; INFO when neither is set.
    logLevel: ((process.env.POWERTOOLS_LOG_LEVEL ?? process.env.LOG_LEVEL) as 'INFO' | undefined) ?? 'INFO',
  });
}

export type { Logger };
