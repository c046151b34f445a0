// Who signed an approval, as responses show it: the signer by id and name, and the person they
// signed for when they acted as a delegate. One component, shared by every answer that lists signers.
import { Type } from 'typebox';
import { component } from '../server/http.js';

export const SignerRef = component(
  'SignerRef',
  Type.Object({
    id: Type.String(),
    name: Type.String(),
    onBehalfOf: Type.Union([Type.Object({ id: Type.String(), name: Type.String() }), Type.Null()]),
  }),
);
