// Dashboard: Key figures of AI governance, each linked to the records behind it.
import { PageHeader } from '../../components/PageHeader';
import { Empty } from '../../components/states';

export function DashboardPage() {
  return (
    <>
      <PageHeader title="Dashboard" description="Key figures of AI governance, each linked to the records behind it." />
      <Empty title="Nothing here yet" />
    </>
  );
}
