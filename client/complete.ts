/**
 * Tab completion of the interactive prompt: command names for the first word, node ids for a
 * recipient, and the ids of transactions sent in this session after `tx`. Pure: a line in, the
 * completed line and the choices out.
 */
import { COMMAND_WORDS } from './help.js';

export interface CompletionSource {
  /** Ids of the other nodes. */
  nodeIds: readonly number[];
  /** Ids of the transactions sent in this session, oldest first. */
  sentIds: readonly string[];
}

export interface Completion {
  /** The line with its last word completed as far as every choice agrees. */
  line: string;
  /** The choices when there are several (to show under the prompt); empty otherwise. */
  choices: string[];
}

function commonPrefix(words: readonly string[]): string {
  let prefix = words[0] ?? '';
  for (const w of words) while (!w.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix;
}

/** Candidates for the word being typed, given the words before it. */
function candidates(before: readonly string[], word: string, source: CompletionSource): string[] {
  if (before.length === 0) return COMMAND_WORDS.filter((c) => c.startsWith(word.toLowerCase()));
  const command = before[0]!.toLowerCase();
  if ((command === 't' || command === 'm') && before.length === 1) {
    const asId = word === '' || /^i/i.test(word);
    return source.nodeIds.map((k) => (asId ? `id${k}` : String(k))).filter((c) => c.startsWith(word.toLowerCase()));
  }
  if (command === 'tx' && before.length === 1) {
    return [...new Set([...source.sentIds].reverse())].filter((id) => id.startsWith(word.toLowerCase()));
  }
  return [];
}

/** Completes the last word of `line` (the word under a cursor at the end of the line). */
export function complete(line: string, source: CompletionSource): Completion {
  const m = /^(.*?)(\S*)$/s.exec(line);
  const head = m?.[1] ?? '';
  const word = m?.[2] ?? '';
  const before = head.split(/\s+/).filter((w) => w !== '');
  const found = candidates(before, word, source);
  if (found.length === 0) return { line, choices: [] };
  if (found.length === 1) return { line: `${head}${found[0]} `, choices: [] };
  const prefix = commonPrefix(found);
  return { line: `${head}${prefix.length > word.length ? prefix : word}`, choices: found };
}
