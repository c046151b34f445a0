// Administration: Users, roles and API tokens.
import { PageHeader } from '../../components/PageHeader';
import { Empty } from '../../components/states';

export function AdminPage() {
  return (
    <>
      <PageHeader title="Administration" description="Users, roles and API tokens." />
      <Empty title="Nothing here yet" />
    </>
  );
}
