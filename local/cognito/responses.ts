/**
 * Cognito's response shapes (UserType, UserPoolType, UserPoolClientType, GroupType) from the
 * stored pool: what the operations answer.
 */
import type { StoredPool, StoredUser } from './state.js';
import type { AttributeType, Json } from './wire.js';

/** Dates go out as epoch seconds (the SDK turns them into Date objects). */
export const epochSeconds = (ms: number): number => ms / 1000;

export const attributeList = (user: StoredUser): AttributeType[] => [
  { Name: 'sub', Value: user.sub },
  ...Object.entries(user.attributes).map(([Name, Value]) => ({ Name, Value })),
];

/** UserType; AdminGetUser names the attributes `UserAttributes`, the list operations `Attributes`. */
export function userType(user: StoredUser, attributesKey: 'Attributes' | 'UserAttributes'): Json {
  return {
    Username: user.username,
    [attributesKey]: attributeList(user),
    UserCreateDate: epochSeconds(user.createdAt),
    UserLastModifiedDate: epochSeconds(user.updatedAt),
    Enabled: user.enabled,
    UserStatus: user.status,
  };
}

export function poolType(pool: StoredPool, region: string): Json {
  return {
    ...pool.config,
    Id: pool.id,
    Name: pool.name,
    Arn: `arn:aws:cognito-idp:${region}:000000000000:userpool/${pool.id}`,
    CreationDate: epochSeconds(pool.createdAt),
    LastModifiedDate: epochSeconds(pool.createdAt),
    EstimatedNumberOfUsers: Object.keys(pool.users).length,
  };
}

export function clientType(pool: StoredPool, clientId: string): Json {
  const c = pool.clients[clientId]!;
  return {
    UserPoolId: pool.id,
    ClientId: c.clientId,
    ClientName: c.clientName,
    ExplicitAuthFlows: c.explicitAuthFlows,
    ...(c.writeAttributes ? { WriteAttributes: c.writeAttributes } : {}),
    ...c.tokenValidity,
    PreventUserExistenceErrors: c.preventUserExistenceErrors ?? 'ENABLED',
    CreationDate: epochSeconds(c.createdAt),
    LastModifiedDate: epochSeconds(c.createdAt),
  };
}

export function groupType(pool: StoredPool, name: string): Json {
  const g = pool.groups[name]!;
  return {
    GroupName: g.name,
    UserPoolId: pool.id,
    ...(g.description !== undefined ? { Description: g.description } : {}),
    ...(g.precedence !== undefined ? { Precedence: g.precedence } : {}),
    CreationDate: epochSeconds(g.createdAt),
    LastModifiedDate: epochSeconds(g.createdAt),
  };
}
