/**
 * The report's charts, drawn with Apache ECharts (bundled, no CDN). This
 * module is imported lazily by the report page so the chart library stays
 * out of the main bundle. SVG renderer: crisp on a projector and in print.
 */
import * as echarts from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, TooltipComponent, TitleComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';

echarts.use([BarChart, LineChart, GridComponent, TooltipComponent, TitleComponent, SVGRenderer]);

export interface ChartSpec {
  title: string;
  labels: string[];
  values: number[];
  kind: 'bar' | 'line';
  /** Shown after each value on the axis (e.g. "%"). */
  unit?: string;
}

/** Draws (or redraws) one chart into `el`; returns a disposer. */
export function drawChart(el: HTMLElement, spec: ChartSpec): () => void {
  const chart = echarts.getInstanceByDom(el) ?? echarts.init(el, null, { renderer: 'svg' });
  chart.setOption(
    {
      animation: false,
      title: { text: spec.title, textStyle: { fontSize: 16 } },
      tooltip: { trigger: 'axis' },
      grid: { left: 64, right: 16, top: 48, bottom: 56 },
      xAxis: { type: 'category', data: spec.labels, axisLabel: { fontSize: 13, rotate: spec.labels.length > 8 ? 40 : 0 } },
      yAxis: { type: 'value', axisLabel: { fontSize: 13, formatter: `{value}${spec.unit ?? ''}` } },
      series: [{ type: spec.kind, data: spec.values, itemStyle: { color: '#a31b1b' }, label: { show: spec.values.length <= 12, position: 'top', fontSize: 12 } }],
    },
    true,
  );
  const onResize = () => chart.resize();
  window.addEventListener('resize', onResize);
  return () => {
    window.removeEventListener('resize', onResize);
    chart.dispose();
  };
}
