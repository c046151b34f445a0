// Evidence packs over HTTP: POST a scope, get the zip back as a stream. Auditors may ask: a pack
// changes no record (its generation is written to the ledger, as a read that leaves a trace).
import { Type } from 'typebox';
import type { Role } from '../context.js';
import { type App, type AppDeps, errorResponses, requestContext } from '../server/http.js';
import { generateEvidencePack } from './pack-writer.js';

const PACKERS: Role[] = ['admin', 'auditor'];

export const EvidencePackBody = Type.Object(
  {
    scope: Type.Union([Type.Literal('organisation'), Type.Literal('system'), Type.Literal('control'), Type.Literal('framework')], {
      description: 'What the pack covers: the whole organisation, one AI system, one control or one framework',
    }),
    id: Type.Optional(
      Type.String({ minLength: 1, maxLength: 100, description: 'The system id, control id (iso42001:A.9.2) or framework id (eu-ai-act)' }),
    ),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'Only events recorded at or after this time' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'Only events recorded before this time' })),
  },
  { additionalProperties: false },
);

export function evidenceRoutes(app: App, { store, services }: AppDeps) {
  app.post(
    '/api/v1/evidence-packs',
    {
      schema: {
        operationId: 'generateEvidencePack',
        summary: 'Generate an evidence pack (a zip an auditor verifies offline)',
        tags: ['evidence'],
        body: EvidencePackBody,
        response: {
          200: {
            description: 'The evidence pack, streamed (docs/EVIDENCE-PACKS.md)',
            content: { 'application/zip': { schema: Type.String({ format: 'binary', description: 'A zip file' }) } },
          },
          ...errorResponses,
        },
      },
      config: { access: { roles: PACKERS, scope: 'read' } },
    },
    async (req, reply) => {
      const { scope, id, from, to } = req.body;
      const pack = await generateEvidencePack(store, {
        ctx: requestContext(req),
        scope: { kind: scope, ...(id !== undefined ? { id } : {}), ...(from ? { from } : {}), ...(to ? { to } : {}) },
        signer: services.signer,
      });
      reply.header('content-disposition', `attachment; filename="${pack.fileName}"`);
      return reply.type('application/zip').send(pack.stream);
    },
  );
}
