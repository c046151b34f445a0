// Appeals: Appeals with their deadlines, owners and outcomes.
import { PageHeader } from '../../components/PageHeader';
import { Empty } from '../../components/states';

export function AppealsPage() {
  return (
    <>
      <PageHeader title="Appeals" description="Appeals with their deadlines, owners and outcomes." />
      <Empty title="Nothing here yet" />
    </>
  );
}
