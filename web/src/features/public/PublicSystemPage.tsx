// AI system: What it does, who oversees it, how to challenge a decision.
import { PageHeader } from '../../components/PageHeader';
import { Empty } from '../../components/states';

export function PublicSystemPage() {
  return (
    <>
      <PageHeader title="AI system" description="What it does, who oversees it, how to challenge a decision." />
      <Empty title="Nothing here yet" />
    </>
  );
}
