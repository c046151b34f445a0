// Approval request: The chain, the signatures and the content being signed.
import { PageHeader } from '../../components/PageHeader';
import { Empty } from '../../components/states';

export function ApprovalRequestPage() {
  return (
    <>
      <PageHeader title="Approval request" description="The chain, the signatures and the content being signed." />
      <Empty title="Nothing here yet" />
    </>
  );
}
