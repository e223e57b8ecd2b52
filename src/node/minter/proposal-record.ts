/**
 * The proposal record on disk (docs/protocol.md, "Liveness": a validator never signs two blocks
 * for one height and round, even across a crash; the rule is src/core/proposal-record.ts). Written
 * before the block leaves the node, by one write in place (RecordFile), so that a process killed
 * at any point leaves either the old or the new record. The file keeps its former name,
 * `signed-height`, whose old content (the height alone) still reads.
 */
import { join } from 'node:path';
import {
  afterFinal,
  afterProposal,
  formatProposalRecord,
  mayPropose,
  parseProposalRecord,
  type ProposalRecord,
} from '../../core/proposal-record.js';
import { RecordFile } from '../record-file.js';

export class SignedProposals {
  private rec: ProposalRecord;
  private readonly file: RecordFile;

  constructor(dataDir: string) {
    this.file = new RecordFile(join(dataDir, 'signed-height'));
    const rec = parseProposalRecord(this.file.initial);
    if (!rec) {
      this.file.close();
      throw new Error(`${this.file.path}: unreadable proposal record ${JSON.stringify(this.file.initial)}; refusing to sign blocks`);
    }
    this.rec = rec;
  }

  /** The record as it is on disk. */
  get value(): ProposalRecord {
    return this.rec;
  }

  /** Records (height, round) as signed; returns false, writing nothing, if the record does not allow it. */
  claim(height: number, round: number): boolean {
    if (!mayPropose(this.rec, height, round)) return false;
    this.save(afterProposal(this.rec, height, round));
    return true;
  }

  /** The node's finalised height rose to `height`: once it reaches the highest signed, the rounds signed are forgotten. */
  finalised(height: number): void {
    const next = afterFinal(this.rec, height);
    if (next !== this.rec) this.save(next);
  }

  private save(next: ProposalRecord): void {
    this.file.write(formatProposalRecord(next));
    this.rec = next;
  }

  close(): void {
    this.file.close();
  }
}
