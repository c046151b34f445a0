// A metric over time as a line chart with each monitor's threshold drawn as a reference line (its
// own chunk: Mantine charts over Recharts). The table beside it carries the same numbers.
import '@mantine/charts/styles.css';
import { LineChart } from '@mantine/charts';
import { formatLocal } from '../../components/Time';
import { COMPARISON, formatNumber, type Monitor, type Series, valueKeyOf } from './model';

export default function MetricChart({ series, monitors }: { series: Series; monitors: Monitor[] }) {
  const key = valueKeyOf(monitors[0]?.aggregation ?? 'avg');
  const data = series.buckets.map((b) => ({ at: formatLocal(b.at), [key]: b[key] }));
  return (
    <LineChart
      h={240}
      data={data}
      dataKey="at"
      series={[{ name: key, label: `${key} per ${series.bucket}`, color: 'indigo.6' }]}
      curveType="linear"
      withDots={data.length < 60}
      referenceLines={monitors
        .filter((m) => m.enabled)
        .map((m) => ({
          y: m.threshold,
          color: 'red.7',
          label: `${m.name}: ${COMPARISON[m.comparison] ?? m.comparison} ${formatNumber(m.threshold)}`,
          labelPosition: 'insideTopRight' as const,
        }))}
      yAxisProps={{
        domain: [
          (min: number) => Math.min(min, ...monitors.map((m) => m.threshold)),
          (max: number) => Math.max(max, ...monitors.map((m) => m.threshold)),
        ],
      }}
      valueFormatter={(v) => formatNumber(v)}
    />
  );
}
