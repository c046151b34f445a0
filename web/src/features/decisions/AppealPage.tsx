// Appeal: One appeal, from filing to resolution.
import { PageHeader } from '../../components/PageHeader';
import { Empty } from '../../components/states';

export function AppealPage() {
  return (
    <>
      <PageHeader title="Appeal" description="One appeal, from filing to resolution." />
      <Empty title="Nothing here yet" />
    </>
  );
}
