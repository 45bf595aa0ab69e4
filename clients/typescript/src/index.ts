export { createCareStackClient, type CareStackClient, type CareStackClientOptions, type OperationInit, type OperationMethods, type OperationResult, type RetryOptions } from './client.js';
export { CareStackError, type CareStackErrorCode, type CareStackErrorDetail } from './errors.js';
export type { components, operations, paths } from './generated/openapi.js';
export { OPERATIONS, type OperationName } from './generated/operations.js';
