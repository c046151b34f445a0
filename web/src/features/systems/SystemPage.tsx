// AI system: Purpose, owners, versions, runtime state and complete history.
import { PageHeader } from '../../components/PageHeader';
import { Empty } from '../../components/states';

export function SystemPage() {
  return (
    <>
      <PageHeader title="AI system" description="Purpose, owners, versions, runtime state and complete history." />
      <Empty title="Nothing here yet" />
    </>
  );
}
