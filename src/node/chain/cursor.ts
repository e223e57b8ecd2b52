/**
 * The cursor of the lists that page back through the chain (an address's transactions, the
 * inbox): `B` means "blocks below index B", `B.P` "the transactions before position P of block B,
 * then blocks below B". A page that is full names the next one by its last item's `block.position`,
 * so a block whose transactions straddle two pages is split between them, never skipped.
 */

/** A place in the chain: transactions strictly before `position` of block `block` come after it. */
export interface Cursor {
  readonly block: number;
  readonly position: number;
}

/** Reads a cursor the schema has checked (`B` or `B.P`); `undefined` when absent: the whole chain. */
export function readCursor(text: string | undefined): Cursor | undefined {
  if (text === undefined) return undefined;
  const [block, position] = text.split('.');
  return { block: Number(block), position: position === undefined ? 0 : Number(position) };
}

/** Whether the transaction at `position` of block `block` comes after `cursor` (newest first). */
export function isBefore(cursor: Cursor | undefined, block: number, position: number): boolean {
  if (cursor === undefined) return true;
  return block < cursor.block || (block === cursor.block && position < cursor.position);
}

/** The cursor of the page after one ending with `last`. */
export function cursorAfter(last: { block: number; position: number }): string {
  return `${last.block}.${last.position}`;
}
