// Oversight: Pause, restrict or resume AI systems; rosters and runtime state.
import { PageHeader } from '../../components/PageHeader';
import { Empty } from '../../components/states';

export function OversightPage() {
  return (
    <>
      <PageHeader title="Oversight" description="Pause, restrict or resume AI systems; rosters and runtime state." />
      <Empty title="Nothing here yet" />
    </>
  );
}
