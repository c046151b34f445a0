// The Statement of Applicability over HTTP: read it (now, or at any version) and ask for a change.
// There is no route that writes it: a change is an approval request (`soa_change`), applied when
// its chain completes. PUT/PATCH on these paths answer 404.
import { displayNames, withNames } from '../../accounts/display-names.js';
import { listSoaVersions, loadSoa, loadSoaVersion, SOA_REQUESTER_ROLES } from '../../governance/soa.js';
import { type App, type AppDeps, errorResponses, Page, requestContext } from '../../server/http.js';
import { requestSoaChange } from '../../workflows/request-soa-change.js';
import { SoaChangeBody, SoaChangeRequestView, SoaVersionParams, SoaVersionSummary, SoaVersionsQuery, SoaView } from './soa.schema.js';

const tags = ['controls'];
/** Anyone signed in reads the SoA; governance leads and admins ask for a change (the use case says so too). */
const read = { access: { roles: 'any' as const, scope: 'read' as const } };
const request = { access: { roles: [...SOA_REQUESTER_ROLES], scope: 'write' as const } };

export function soaRoutes(app: App, { store }: AppDeps) {
  app.get(
    '/api/v1/controls/soa',
    {
      schema: {
        operationId: 'loadSoa',
        summary: 'The Statement of Applicability now: every Annex A control, applicable or excluded, with its justification and approval',
        tags,
        response: { 200: SoaView, ...errorResponses },
      },
      config: read,
    },
    async () => loadSoa(store.db),
  );

  app.get(
    '/api/v1/controls/soa/versions',
    {
      schema: {
        operationId: 'listSoaVersions',
        summary: 'Every approved version of the Statement of Applicability, newest first, with what it changed and who signed',
        tags,
        querystring: SoaVersionsQuery,
        response: { 200: Page(SoaVersionSummary), ...errorResponses },
      },
      config: read,
    },
    async (req) => {
      const page = await listSoaVersions(store.db, { limit: req.query.limit ?? 50, offset: req.query.offset ?? 0 });
      const names = await displayNames(
        store.db,
        page.items.flatMap((v) => [v.requestedBy, v.appliedBy]),
      );
      return { ...page, items: page.items.map((v) => withNames(v, ['requestedBy', 'appliedBy'], names)) };
    },
  );

  app.get(
    '/api/v1/controls/soa/versions/:n',
    {
      schema: {
        operationId: 'loadSoaVersion',
        summary: 'The Statement of Applicability as it was at one version (0: the unreviewed default)',
        tags,
        params: SoaVersionParams,
        response: { 200: SoaView, ...errorResponses },
      },
      config: read,
    },
    async (req) => loadSoaVersion(store.db, req.params.n),
  );

  app.post(
    '/api/v1/controls/soa/change-requests',
    {
      schema: {
        operationId: 'requestSoaChange',
        summary: 'Ask for a change of the Statement of Applicability: opens a soa_change approval request',
        tags,
        body: SoaChangeBody,
        response: { 201: SoaChangeRequestView, ...errorResponses },
      },
      config: request,
    },
    async (req, reply) => {
      const created = await store.transact((trx) =>
        requestSoaChange(trx, {
          ctx: requestContext(req),
          entries: req.body.entries,
          rationale: req.body.rationale,
          title: req.body.title,
        }),
      );
      return reply.status(201).send(created);
    },
  );
}
