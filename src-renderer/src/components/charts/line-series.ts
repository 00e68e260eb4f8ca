/** What a LineChart draws: named series of (x, y) points, typed once for every view. */
export interface XY {
  x: number
  y: number
}

export interface LineSeries {
  label: string
  points: XY[]
  color: string
  /** Dashed line (e.g. validation beside a solid training line). */
  dashed?: boolean
  /** Dots only, no line: markers such as best epochs. */
  markersOnly?: boolean
  /** Point radius (default 0 for lines, 5 for markers). */
  pointRadius?: number
  /** Fill down to the previous series (mean ± std bands): index into the series array, or false. */
  fillTo?: number | false
  /** Hidden from the legend (band edges). */
  hideInLegend?: boolean
}
