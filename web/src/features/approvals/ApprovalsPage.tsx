// Approvals: Your queue, requests, delegations and emergency changes.
import { PageHeader } from '../../components/PageHeader';
import { Empty } from '../../components/states';

export function ApprovalsPage() {
  return (
    <>
      <PageHeader title="Approvals" description="Your queue, requests, delegations and emergency changes." />
      <Empty title="Nothing here yet" />
    </>
  );
}
