// Incident: Deadlines and the reports filed against them.
import { PageHeader } from '../../components/PageHeader';
import { Empty } from '../../components/states';

export function IncidentPage() {
  return (
    <>
      <PageHeader title="Incident" description="Deadlines and the reports filed against them." />
      <Empty title="Nothing here yet" />
    </>
  );
}
