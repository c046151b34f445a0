// Weekly trends as a line chart, drawn by uPlot (a small canvas chart library, about 22 KB gzipped)
// rather than Mantine charts over Recharts (about 130 KB): the dashboard is the first page after
// signing in, and its JavaScript stays within issue 10's 250 KB. Its own chunk, loaded after the
// numbers; the table under it carries the same figures for screen readers and keyboard users.
import 'uplot/dist/uPlot.min.css';
import { Box, useComputedColorScheme, useMantineTheme } from '@mantine/core';
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';

const COLORS = ['indigo', 'teal', 'orange', 'red', 'grape', 'cyan', 'lime', 'pink'] as const;
const HEIGHT = 260;
/** The count axis steps by whole numbers. */
const COUNT_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 1_000_000];

export interface Trends {
  weeks: string[];
  series: Array<{ name: string; counts: number[] }>;
}

/** uPlot's columns: the weeks as Unix seconds, then one column of counts per series. */
export function trendColumns(trends: Trends): uPlot.AlignedData {
  return [
    trends.weeks.map((week) => Math.floor(Date.parse(week) / 1000)),
    ...trends.series.map((s) => trends.weeks.map((_, i) => s.counts[i] ?? 0)),
  ];
}

export default function TrendsChart({ trends }: { trends: Trends }) {
  const theme = useMantineTheme();
  const scheme = useComputedColorScheme('light');
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const dark = scheme === 'dark';
    const ink = dark ? theme.colors.dark[0] : theme.colors.gray[7];
    const grid = dark ? theme.colors.dark[4] : theme.colors.gray[3];
    const axis = { stroke: ink, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    const data = trendColumns(trends);
    const chart = new uPlot(
      {
        width: Math.max(el.clientWidth, 300),
        height: HEIGHT,
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, Math.ceil(max * 1.1))] } },
        axes: [
          // A tick and a grid line at the start of each week (Monday, UTC), as the table's columns.
          {
            ...axis,
            splits: () => data[0] as number[],
            values: (_u, ticks) => ticks.map((t) => new Date(t * 1000).toISOString().slice(5, 10)),
          },
          { ...axis, incrs: COUNT_STEPS, values: (_u, ticks) => ticks.map(String) },
        ],
        series: [
          { label: 'Week of', value: (_u, t) => (t == null ? '' : new Date(t * 1000).toISOString().slice(0, 10)) },
          ...trends.series.map((s, i) => ({
            label: s.name,
            stroke: theme.colors[COLORS[i % COLORS.length]][dark ? 4 : 6],
            width: 2,
            points: { size: 5 },
          })),
        ],
      },
      data,
      el,
    );
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(el.clientWidth, 300), height: HEIGHT }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      chart.destroy();
    };
  }, [trends, theme, scheme]);

  return (
    <Box
      ref={box}
      component="figure"
      m={0}
      aria-label="Weekly counts over the last weeks, as a line chart; the table below gives the same numbers"
      data-testid="trends-chart"
      c={scheme === 'dark' ? 'dark.0' : 'gray.8'}
      fz="sm"
    />
  );
}
