/**
 * The shapes of the REST API (SPEC part C), derived from the schemas of schemas.ts: one source
 * for the server, the client and the documentation. Units are integers of 1/100 BCC.
 *
 * Blocks and transactions keep the core's own types (src/core/types.ts: the core imports nothing
 * but noble); test/unit/wire-types.test.ts checks that they and the schemas' types agree.
 */
import type { Static } from 'typebox';
import type { Block, Transaction, TxType } from '../core/types.js';
import type * as S from './schemas.js';

export type { Block, Transaction, TxType };

/** The wire forms of a block and a transaction, as the schemas say (the core's types are read-only). */
export type WireBlock = Static<typeof S.Block>;
export type WireTransaction = Static<typeof S.Transaction>;

export type StatusView = Static<typeof S.StatusView>;
export type AccountView = Static<typeof S.AccountView>;
export type PeerView = Static<typeof S.PeerView>;
/** POST /wallet/transactions body. `to` is a node id (3, "3", "id3") or an address. */
export type SubmitRequest = Static<typeof S.SubmitRequest>;
export type SubmitResponse = Static<typeof S.SubmitResponse>;
/** One item of a POST /wallet/transactions/batch answer: the transaction, or why it was refused. */
export type SubmitBatchItem = Static<typeof S.SubmitBatchItem>;
export type InboxEntry = Static<typeof S.InboxEntry>;
export type TxStatusView = Static<typeof S.TxStatusView>;
export type TxStatus = TxStatusView['status'];
/** Every error answer: a machine code and a reason a user can act on. */
export type ErrorBody = Static<typeof S.ErrorBody>;
/** `event: reorg`: the best branch switched to a rival (fork choice, after a validator failover). */
export type ReorgEvent = Static<typeof S.ReorgEvent>;
export type FinalEvent = Static<typeof S.FinalEvent>;
export type AddressTxView = Static<typeof S.AddressTxView>;
export type NonceView = Static<typeof S.NonceView>;
export type AcceptedView = Static<typeof S.AcceptedView>;
export type PeerChallenge = Static<typeof S.PeerChallenge>;
export type PeerSession = Static<typeof S.PeerSession>;
/** Server-sent event on GET /events after every committed block. */
export type BlockEvent = Static<typeof S.BlockEvent>;
