// Selection rate per group as a bar chart (its own chunk); groups without an estimate are left out
// of the bars and named in the table beside it with their reason.
import '@mantine/charts/styles.css';
import { BarChart } from '@mantine/charts';
import { type Fairness, formatNumber, groupLabel } from './model';

export default function FairnessChart({ fairness }: { fairness: Fairness }) {
  const data = fairness.groups
    .filter((g) => g.selectionRate.value !== null)
    .map((g) => ({ group: groupLabel(g.attributes), selectionRate: g.selectionRate.value ?? 0, tpr: g.tpr.value }));
  return (
    <BarChart
      h={240}
      data={data}
      dataKey="group"
      series={[
        { name: 'selectionRate', label: 'selection rate', color: 'indigo.6' },
        { name: 'tpr', label: 'TPR', color: 'teal.7' },
      ]}
      withLegend
      yAxisProps={{ domain: [0, 1] }}
      valueFormatter={(v) => formatNumber(v)}
    />
  );
}
