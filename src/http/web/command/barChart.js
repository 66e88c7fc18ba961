/**
 * A horizontal bar chart drawn as SVG in the page (no external resource, no library): one bar
 * per `[label, value]`, its value printed beside it so nothing rests on length or colour alone.
 * The figure is described for assistive technology by `title`; the same figures stand in a
 * table next to it.
 */
import { svg } from './dom.js';

export function barChart(title, bars, classOf = () => 'bar') {
  const rowHeight = 28;
  const labelWidth = 80;
  const width = 300;
  const max = Math.max(1, ...bars.map(([, v]) => v));
  const height = bars.length * rowHeight + 8;
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': title });
  chart.append(svg('title', { text: title }));
  bars.forEach(([label, value], i) => {
    const y = i * rowHeight + 4;
    const length = Math.round(((width - labelWidth - 50) * value) / max);
    chart.append(
      svg('text', { x: 0, y: y + 17, text: label }),
      svg('rect', { x: labelWidth, y: y + 4, width: Math.max(value > 0 ? 2 : 0, length), height: rowHeight - 10, class: `bar ${classOf(label)}` }),
      svg('text', { x: labelWidth + length + 6, y: y + 17, text: String(value) }),
    );
  });
  return chart;
}
