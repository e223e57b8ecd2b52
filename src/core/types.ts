/** The data of the protocol, exactly as it travels on the wire (SPEC A). */

export type TxType = 'coins' | 'message' | 'stake';

export interface Transaction {
  readonly sender: string;
  readonly receiver: string;
  readonly type: TxType;
  /** Units: the transferred amount, 0 for a message, the new total stake for a stake. */
  readonly amount: number;
  readonly message: string;
  readonly nonce: number;
  readonly id: string;
  readonly signature: string;
}

/** The fields of a transaction that its id commits to. */
export type TxBody = Omit<Transaction, 'id' | 'signature'>;

export interface Block {
  readonly index: number;
  readonly timestamp: number;
  readonly transactions: readonly Transaction[];
  readonly validator: string;
  readonly previous_hash: string;
  readonly current_hash: string;
  readonly signature: string;
}

export interface Account {
  readonly balance: number;
  readonly stake: number;
  readonly nonce: number;
}
