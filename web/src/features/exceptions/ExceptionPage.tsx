// Exception: From triage to lessons learned.
import { PageHeader } from '../../components/PageHeader';
import { Empty } from '../../components/states';

export function ExceptionPage() {
  return (
    <>
      <PageHeader title="Exception" description="From triage to lessons learned." />
      <Empty title="Nothing here yet" />
    </>
  );
}
