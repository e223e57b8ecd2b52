/**
 * The highest height this node signed a block at, on disk (docs/protocol.md, "Liveness":
 * a validator never signs two blocks at one height, even across a crash). Written before the
 * block leaves the node, by a write to a temporary file and a rename, so that a process killed at
 * any point leaves either the old or the new height.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class SignedHeight {
  private height: number;
  private readonly path: string;

  constructor(dataDir: string) {
    this.path = join(dataDir, 'signed-height');
    let text = '';
    try {
      text = readFileSync(this.path, 'utf8');
    } catch {
      // never signed
    }
    const h = Number(text.trim());
    this.height = text.trim() !== '' && Number.isSafeInteger(h) ? h : 0;
  }

  /** The highest height signed; 0 when none. */
  get value(): number {
    return this.height;
  }

  /** Records `height` as signed (it must be above the last); returns false if it is not. */
  claim(height: number): boolean {
    if (height <= this.height) return false;
    writeFileSync(this.path + '.tmp', `${height}\n`, { mode: 0o600 });
    renameSync(this.path + '.tmp', this.path);
    this.height = height;
    return true;
  }
}
