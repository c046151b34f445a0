// Exception: from triage to lessons learned (the workflow itself is ExceptionWorkflow).
import { Anchor, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { PageHeader } from '../../components/PageHeader';
import { ErrorState, Loading } from '../../components/states';
import { exceptionRoute } from '../../routes/exceptions.routes';
import { ExceptionWorkflow, SystemLink } from './ExceptionWorkflow';
import { exceptionQuery } from './queries';

export function ExceptionPage() {
  const { exceptionId } = exceptionRoute.useParams();
  const exception = useQuery(exceptionQuery(exceptionId));
  if (exception.isError) return <ErrorState error={exception.error} title="This exception could not be loaded" />;
  if (!exception.data) return <Loading label="Loading the exception…" />;
  const e = exception.data;
  return (
    <>
      <PageHeader
        title={e.title}
        description={
          <Text span size="sm">
            Exception on <SystemLink systemId={e.systemId} />
            {e.kind === 'incident' && (
              <>
                {' · '}
                <Anchor renderRoot={(props) => <Link {...props} to="/incidents/$incidentId" params={{ incidentId: e.id }} />} size="sm">
                  reporting deadlines
                </Anchor>
              </>
            )}
          </Text>
        }
      />
      <ExceptionWorkflow exception={e} />
    </>
  );
}
