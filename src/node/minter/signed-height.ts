/**
 * The highest height this node signed a block at, on disk (docs/protocol.md, "Liveness":
 * a validator never signs two blocks at one height, even across a crash). Written before the
 * block leaves the node, by one write in place (RecordFile), so that a process killed at any
 * point leaves either the old or the new height.
 */
import { join } from 'node:path';
import { RecordFile } from '../record-file.js';

export class SignedHeight {
  private height: number;
  private readonly file: RecordFile;

  constructor(dataDir: string) {
    this.file = new RecordFile(join(dataDir, 'signed-height'));
    const text = this.file.initial;
    const h = Number(text);
    this.height = text !== '' && Number.isSafeInteger(h) ? h : 0;
  }

  /** The highest height signed; 0 when none. */
  get value(): number {
    return this.height;
  }

  /** Records `height` as signed (it must be above the last); returns false if it is not. */
  claim(height: number): boolean {
    if (height <= this.height) return false;
    this.file.write(String(height));
    this.height = height;
    return true;
  }

  close(): void {
    this.file.close();
  }
}
