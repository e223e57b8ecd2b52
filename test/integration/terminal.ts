/**
 * A program in a real terminal for the tests: tmux runs it in a pty of its own server (one
 * socket per terminal), keys are typed with send-keys, and the screen is read with capture-pane.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './harness.js';

/** The terminal tests are skipped only when tmux is missing (CI installs it). */
export const HAVE_TMUX = (() => {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** How the shell reports the program's exit status: "[exited with 0]". */
const EXITED = '[exited with ';

export class Terminal {
  private readonly dir = mkdtempSync(join(tmpdir(), 'blockchat-tty-'));
  private readonly socket = join(this.dir, 'tmux.sock');

  /**
   * Starts `argv` in a terminal of 150×50 characters. The shell that runs it writes its exit
   * status on the screen (tmux's own #{pane_dead_status} stays empty when the pty closes before
   * tmux reaps the program), and the pane stays after it.
   */
  constructor(argv: readonly string[]) {
    const command = `${argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ')}; echo "${EXITED}$?]"`;
    // One tmux command line: the options are set before the program starts.
    this.tmux(
      '-f',
      '/dev/null',
      'start-server',
      ';',
      'set-option',
      '-g',
      'remain-on-exit',
      'on',
      ';',
      'set-option',
      '-g',
      'history-limit',
      '10000',
      ';',
      'new-session',
      '-d',
      '-x',
      '150',
      '-y',
      '50',
      command,
    );
  }

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-S', this.socket, ...args], { encoding: 'utf8' });
  }

  /** Types text as it is (no key names). */
  type(text: string): void {
    this.tmux('send-keys', '-l', text);
  }

  /** Presses keys by name: Enter, Tab, Up, C-d, C-u… */
  press(...keys: string[]): void {
    this.tmux('send-keys', ...keys);
  }

  /** The whole screen and its scrollback, wrapped lines joined, trailing blanks dropped. */
  screen(): string {
    return this.tmux('capture-pane', '-p', '-J', '-S', '-')
      .replace(/[ \t]+$/gm, '')
      .replace(/\n+$/, '');
  }

  lines(): string[] {
    return this.screen().split('\n');
  }

  /** Waits until the screen satisfies `check`; the error shows the screen. */
  async waitScreen(what: string, check: (screen: string) => boolean, timeoutMs = 20_000): Promise<string> {
    let last = '';
    try {
      await waitFor(what, async () => check((last = this.screen())), timeoutMs);
    } catch (err) {
      throw new Error(`${(err as Error).message}; the screen:\n${last}`, { cause: err });
    }
    return last;
  }

  /** The exit status once the program has ended, else undefined. */
  exitStatus(): number | undefined {
    const m = new RegExp(`^${EXITED.replace('[', '\\[')}(\\d+)\\]$`, 'm').exec(this.screen());
    return m ? Number(m[1]) : undefined;
  }

  close(): void {
    try {
      this.tmux('kill-server');
    } catch {
      // already gone
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
