/** chart.js, registered once with only the parts Tatami draws (line charts, decimation, tooltips, legends, bands). */
import {
  Chart,
  Decimation,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  ScatterController,
  Title,
  Tooltip
} from 'chart.js'

Chart.register(LineController, ScatterController, LineElement, PointElement, LinearScale, LogarithmicScale, Decimation, Filler, Legend, Title, Tooltip)

export { Chart }

/** A colour per series index that stays apart on white and prints well. */
export const SERIES_COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777', '#4b5563', '#65a30d']
export function seriesColor(i: number): string {
  return SERIES_COLORS[i % SERIES_COLORS.length]!
}
