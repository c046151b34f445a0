// Decisions: The human review queue.
import { PageHeader } from '../../components/PageHeader';
import { Empty } from '../../components/states';

export function DecisionsPage() {
  return (
    <>
      <PageHeader title="Decisions" description="The human review queue." />
      <Empty title="Nothing here yet" />
    </>
  );
}
