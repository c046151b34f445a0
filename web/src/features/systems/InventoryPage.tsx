// Inventory: Every AI system, prototypes and shadow AI included.
import { PageHeader } from '../../components/PageHeader';
import { Empty } from '../../components/states';

export function InventoryPage() {
  return (
    <>
      <PageHeader title="Inventory" description="Every AI system, prototypes and shadow AI included." />
      <Empty title="Nothing here yet" />
    </>
  );
}
