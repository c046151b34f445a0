// AI systems we use: Published transparency pages.
import { PageHeader } from '../../components/PageHeader';
import { Empty } from '../../components/states';

export function PublicSystemsPage() {
  return (
    <>
      <PageHeader title="AI systems we use" description="Published transparency pages." />
      <Empty title="Nothing here yet" />
    </>
  );
}
