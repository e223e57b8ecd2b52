/**
 * Checks of the `blockchat` command's numeric options (src/main.ts). yargs leaves every value as
 * typed ('parse-numbers' is off), and each numeric option is read by one of these: "abc", "1e3",
 * "4.5" or a port above 65535 is refused with one line that names the flag, before anything runs.
 */

function single(flag: string, value: unknown): string {
  if (Array.isArray(value)) throw new Error(`${flag} is given ${value.length} times: give it once`);
  return String(value);
}

/** A whole number option (digits only) from `min` to `max`. */
export function whole(flag: string, min: number, max = Number.MAX_SAFE_INTEGER): (value: unknown) => number {
  return (value) => {
    const text = single(flag, value);
    const n = Number(text);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < min || n > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
      throw new Error(`${flag} must be a whole number ${range}, not '${text}'`);
    }
    return n;
  };
}

/** A port: a whole number from 1 to 65535. */
export const port = (flag: string) => whole(flag, 1, 65535);

/** A positive decimal number (e.g. a rate in tx/s). */
export function positive(flag: string): (value: unknown) => number {
  return (value) => {
    const text = single(flag, value);
    const n = Number(text);
    if (!/^\d+(\.\d+)?$/.test(text) || !(n > 0)) throw new Error(`${flag} must be a number above 0, not '${text}'`);
    return n;
  };
}

/** The last port of `count` consecutive ports from `base`, or an error if it is past 65535. */
export function lastPort(base: number, count: number): number {
  const last = base + count - 1;
  if (last > 65535) throw new Error(`${count} nodes from port ${base} need ports up to ${last}: the last port is 65535`);
  return last;
}
