/**
 * The stream records' Lambda shape lives below the functions (the audit redrive reads the stream
 * on AWS too): lambdas/shared/data/stream-records.ts.
 */
export { sequenceOf, toLambdaRecord } from '../../lambdas/shared/data/stream-records.js';
