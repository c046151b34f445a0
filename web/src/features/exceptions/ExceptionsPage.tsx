// Exceptions: Exceptions by lifecycle state.
import { PageHeader } from '../../components/PageHeader';
import { Empty } from '../../components/states';

export function ExceptionsPage() {
  return (
    <>
      <PageHeader title="Exceptions" description="Exceptions by lifecycle state." />
      <Empty title="Nothing here yet" />
    </>
  );
}
