/**
 * The interactive prompt's command input, an Inquirer prompt (@inquirer/core): a line editor
 * with the commands typed before under the up and down arrows, and Tab to complete command names,
 * node ids and sent transaction ids (client/complete.ts).
 */
import { createPrompt, isDownKey, isEnterKey, isTabKey, isUpKey, useKeypress, useState } from '@inquirer/core';
import { complete, type CompletionSource } from './complete.js';

export interface CommandInputConfig {
  /** What stands before the cursor, e.g. "node 2>". */
  message: string;
  /** The lines entered before, oldest first. */
  history: readonly string[];
  /** Where completions come from (read on each Tab). */
  completion: () => CompletionSource;
}

export const commandInput = createPrompt<string, CommandInputConfig>((config, done) => {
  const [value, setValue] = useState('');
  const [finished, setFinished] = useState(false);
  const [choices, setChoices] = useState<string[]>([]);
  // Where in the history the line is: history.length is the line being typed (kept in draft).
  const [position, setPosition] = useState(config.history.length);
  const [draft, setDraft] = useState('');

  useKeypress((key, rl) => {
    if (finished) return;
    const show = (line: string) => {
      rl.clearLine(0);
      rl.write(line);
      setValue(line);
    };
    if (isEnterKey(key)) {
      setFinished(true);
      setChoices([]);
      done(value);
    } else if (isTabKey(key)) {
      // Readline has put a tab into the line: complete what was there before it.
      const result = complete(rl.line.replace(/\t/g, ''), config.completion());
      show(result.line);
      setChoices(result.choices);
    } else if (isUpKey(key) || isDownKey(key)) {
      const next = Math.max(0, Math.min(config.history.length, position + (isUpKey(key) ? -1 : 1)));
      if (next === position) return;
      if (position === config.history.length) setDraft(rl.line);
      setPosition(next);
      show(next === config.history.length ? draft : (config.history[next] ?? ''));
      setChoices([]);
    } else {
      setValue(rl.line);
      setChoices([]);
    }
  });

  const line = `${config.message} ${value}`;
  return finished || choices.length === 0 ? line : [line, choices.join('  ')];
});
