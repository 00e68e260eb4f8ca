/** A one-line progress bar for terminals; silent when stderr is not a TTY. */
export class ProgressBar {
  private lastDraw = 0

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly width = 30
  ) {}

  draw(label: string, done: number, total: number, suffix: string): void {
    if (!this.stream.isTTY) return
    const now = Date.now()
    if (done < total && now - this.lastDraw < 100) return
    this.lastDraw = now
    const filled = Math.round((done / total) * this.width)
    const bar = '█'.repeat(filled) + '░'.repeat(this.width - filled)
    this.stream.write(`\r${label} ${bar} ${done}/${total} ${suffix}\x1b[K`)
  }

  clear(): void {
    if (this.stream.isTTY) this.stream.write('\r\x1b[K')
  }
}
