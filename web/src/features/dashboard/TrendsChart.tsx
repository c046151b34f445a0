// Weekly trends as a line chart (Mantine charts over Recharts): its own chunk, loaded after the numbers.
import '@mantine/charts/styles.css';
import { LineChart } from '@mantine/charts';

const COLORS = ['indigo.6', 'teal.6', 'orange.6', 'red.6', 'grape.6', 'cyan.6', 'lime.7', 'pink.6'];

export interface Trends {
  weeks: string[];
  series: Array<{ name: string; counts: number[] }>;
}

export default function TrendsChart({ trends }: { trends: Trends }) {
  const data = trends.weeks.map((week, i) => ({
    week: week.slice(0, 10),
    ...Object.fromEntries(trends.series.map((s) => [s.name, s.counts[i] ?? 0])),
  }));
  return (
    <LineChart
      h={260}
      data={data}
      dataKey="week"
      series={trends.series.map((s, i) => ({ name: s.name, color: COLORS[i % COLORS.length] }))}
      withLegend
      curveType="linear"
      aria-label="Weekly counts over the last weeks"
    />
  );
}
