/**
 * A Cognito Identity Provider service error. `name` is the wire `__type`, so the AWS SDK client
 * throws an exception of the same name (UsernameExistsException, NotAuthorizedException, ...).
 */
export class CognitoError extends Error {
  constructor(
    override readonly name: string,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
  }
}

export const notAuthorized = (message = 'Incorrect username or password.'): CognitoError =>
  new CognitoError('NotAuthorizedException', message);
export const userNotFound = (): CognitoError => new CognitoError('UserNotFoundException', 'User does not exist.');
export const invalidParameter = (message: string): CognitoError => new CognitoError('InvalidParameterException', message);
export const resourceNotFound = (message: string): CognitoError => new CognitoError('ResourceNotFoundException', message);
