// Request and response schemas for users and their roles.
import { type Static, Type } from 'typebox';
import { ROLES } from '../context.js';
import { component, Id, PageQuery } from '../server/http.js';

export const RoleName = Type.Enum(ROLES, { description: 'a role name' });

/** Roles for single AI systems: system id -> roles. */
export const SystemRoles = Type.Record(Type.String({ minLength: 1, maxLength: 100 }), Type.Array(RoleName, { maxItems: ROLES.length }));

export const UserView = component(
  'User',
  Type.Object({
    id: Id,
    email: Type.String(),
    displayName: Type.String(),
    status: Type.Union([Type.Literal('active'), Type.Literal('deactivated')]),
    roles: Type.Array(RoleName),
    systemRoles: SystemRoles,
    hasPassword: Type.Boolean(),
    lockedUntil: Type.Union([Type.String(), Type.Null()]),
    createdAt: Type.String(),
    updatedAt: Type.String(),
    version: Type.Integer(),
  }),
);
export type UserView = Static<typeof UserView>;

export const UserListQuery = Type.Object(
  {
    status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('deactivated')])),
    role: Type.Optional(RoleName),
    systemId: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'users holding any role for this system' })),
    email: Type.Optional(Type.String({ minLength: 1, maxLength: 320, description: 'substring of the email, case-insensitive' })),
    ...PageQuery,
  },
  { additionalProperties: false },
);

const Password = Type.String({ minLength: 12, maxLength: 1024 });

export const CreateUserBody = Type.Object(
  {
    email: Type.String({ format: 'email', maxLength: 320 }),
    displayName: Type.String({ minLength: 1, maxLength: 200 }),
    password: Type.Optional(Password),
    roles: Type.Optional(Type.Array(RoleName, { maxItems: ROLES.length })),
  },
  { additionalProperties: false },
);

export const UpdateUserBody = Type.Object(
  {
    displayName: Type.String({ minLength: 1, maxLength: 200 }),
    version: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);

const Reason = Type.String({ minLength: 1, maxLength: 2000 });

export const SetRolesBody = Type.Object(
  {
    roles: Type.Array(RoleName, { maxItems: ROLES.length }),
    systemRoles: Type.Optional(SystemRoles),
    reason: Type.Optional(Reason),
    version: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);

export const DeactivateBody = Type.Object(
  {
    reason: Type.Optional(Reason),
    version: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);

export const ChangePasswordBody = Type.Object(
  {
    currentPassword: Type.String({ minLength: 1, maxLength: 1024 }),
    newPassword: Password,
  },
  { additionalProperties: false },
);
