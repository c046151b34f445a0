// Shapes of API answers, named by the operationId that returns them (generated types, never re-declared).
import type { operations } from '../../../packages/client/src/api';

type Ok<R> = R extends { 200: { content: { 'application/json': infer B } } }
  ? B
  : R extends { 201: { content: { 'application/json': infer B } } }
    ? B
    : R extends { 202: { content: { 'application/json': infer B } } }
      ? B
      : never;

/** The JSON body of an operation's success answer: `Answer<'getSystem'>`. */
export type Answer<Op extends keyof operations> = Ok<operations[Op]['responses']>;

/** The JSON request body of an operation: `Body<'createSystem'>`. */
export type Body<Op extends keyof operations> = operations[Op] extends {
  requestBody?: { content: { 'application/json': infer B } };
}
  ? B
  : never;

/** The query parameters of an operation. */
export type Query<Op extends keyof operations> = operations[Op]['parameters'] extends { query?: infer Q } ? NonNullable<Q> : never;
