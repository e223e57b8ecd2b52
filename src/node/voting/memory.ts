/**
 * What this staker voted, on disk (docs/protocol.md, "Liveness": it never signs a vote whose
 * source is below one it used, nor two for one target height, even after a restart). Written
 * before the vote leaves the node, through a temporary file and a rename.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NO_VOTES, type VoterMemory } from '../../core/finality.js';

export class VoteMemory {
  private memory: VoterMemory;
  private readonly path: string;

  constructor(dataDir: string) {
    this.path = join(dataDir, 'votes.json');
    this.memory = NO_VOTES;
    try {
      const parsed = JSON.parse(readFileSync(this.path, 'utf8')) as Partial<VoterMemory>;
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
    writeFileSync(this.path + '.tmp', JSON.stringify(next) + '\n', { mode: 0o600 });
    renameSync(this.path + '.tmp', this.path);
    this.memory = next;
  }
}
