// Ledger: The signed checkpoint, verification and proofs.
import { PageHeader } from '../../components/PageHeader';
import { Empty } from '../../components/states';

export function LedgerPage() {
  return (
    <>
      <PageHeader title="Ledger" description="The signed checkpoint, verification and proofs." />
      <Empty title="Nothing here yet" />
    </>
  );
}
