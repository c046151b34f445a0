// API tokens: Your own API tokens.
import { PageHeader } from '../../components/PageHeader';
import { Empty } from '../../components/states';

export function TokensPage() {
  return (
    <>
      <PageHeader title="API tokens" description="Your own API tokens." />
      <Empty title="Nothing here yet" />
    </>
  );
}
