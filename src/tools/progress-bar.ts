/** The tester's and the load generator's progress on stderr: one line redrawn in place, only on a terminal. */
export class ProgressBar {
  private readonly enabled: boolean;
  private drawn = false;
  constructor(enabled: boolean) {
    this.enabled = enabled && process.stderr.isTTY === true;
  }
  draw(committed: number, accepted: number, total: number, rejected: number): void {
    if (!this.enabled) return;
    const width = 30;
    const done = total > 0 ? Math.min(width, Math.round((width * (committed + rejected)) / total)) : 0;
    const bar = '#'.repeat(done) + '-'.repeat(width - done);
    process.stderr.write(`\r[${bar}] committed ${committed}/${accepted} accepted, ${rejected} rejected, of ${total}  `);
    this.drawn = true;
  }
  end(): void {
    if (this.drawn) process.stderr.write('\n');
    this.drawn = false;
  }
}
