/** Compact numbers and shapes for the editor: 61706 → "61.7k", [6, 28, 28] → "6×28×28". */
export function formatCount(n: number): string {
  const abs = Math.abs(n)
  if (abs < 1000) return String(n)
  const units: [number, string][] = [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k']
  ]
  for (const [size, suffix] of units) {
    if (abs >= size) {
      const v = n / size
      return (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2)).replace(/\.?0+$/, '') + suffix
    }
  }
  return String(n)
}

export function formatShape(shape: readonly number[] | null | undefined): string {
  return shape && shape.length > 0 ? shape.join('×') : '?'
}

/** Exact count with thin separators, for tooltips: 61706 → "61,706". */
export function formatExact(n: number): string {
  return n.toLocaleString('en-US')
}
