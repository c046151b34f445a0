// Incidents: Incidents and their reporting deadlines.
import { PageHeader } from '../../components/PageHeader';
import { Empty } from '../../components/states';

export function IncidentsPage() {
  return (
    <>
      <PageHeader title="Incidents" description="Incidents and their reporting deadlines." />
      <Empty title="Nothing here yet" />
    </>
  );
}
