import { Type } from 'typebox';

export const LoginBody = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: 320 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false },
);

export const SessionView = Type.Object({
  user: Type.Object({ id: Type.String(), email: Type.String(), displayName: Type.String() }),
  csrfToken: Type.String(),
  expiresAt: Type.String(),
});
