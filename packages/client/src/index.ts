// @proofline/client: what an AI service or an integrator installs to talk to Proofline. It
// depends on no part of the server (only openapi-fetch), so installing it brings no database
// driver or web framework. This file is the package's public surface and nothing else.
export type { components, operations, paths } from './api.js';
export { createProoflineApi, type ProoflineApi, type ProoflineApiOptions } from './proofline-api.js';
export {
  type DecisionRecord,
  type DecisionRecordWire,
  type FailSafeDefault,
  ProoflineClient,
  type ProoflineClientOptions,
  type RuntimeState,
  type RuntimeStatus,
} from './proofline-client.js';
