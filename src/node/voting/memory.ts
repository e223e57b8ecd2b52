/**
 * What this staker voted, on disk (docs/protocol.md, "Liveness": it never signs a vote whose
 * source is below one it used, nor two for one target height, even after a restart). Written
 * before the vote leaves the node, by one write in place (RecordFile).
 */
import { join } from 'node:path';
import { NO_VOTES, type VoterMemory } from '../../core/finality.js';
import { RecordFile } from '../record-file.js';

export class VoteMemory {
  private memory: VoterMemory;
  private readonly file: RecordFile;

  constructor(dataDir: string) {
    this.file = new RecordFile(join(dataDir, 'votes.json'));
    this.memory = NO_VOTES;
    try {
      const parsed = JSON.parse(this.file.initial) as Partial<VoterMemory>;
      if (Number.isSafeInteger(parsed.maxSource) && Number.isSafeInteger(parsed.maxTarget))
        this.memory = { maxSource: parsed.maxSource!, maxTarget: parsed.maxTarget! };
    } catch {
      // never voted
    }
  }

  get value(): VoterMemory {
    return this.memory;
  }

  save(next: VoterMemory): void {
    this.file.write(JSON.stringify(next));
    this.memory = next;
  }

  close(): void {
    this.file.close();
  }
}
