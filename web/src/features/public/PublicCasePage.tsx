// Your case: The status of an appeal.
import { PageHeader } from '../../components/PageHeader';
import { Empty } from '../../components/states';

export function PublicCasePage() {
  return (
    <>
      <PageHeader title="Your case" description="The status of an appeal." />
      <Empty title="Nothing here yet" />
    </>
  );
}
