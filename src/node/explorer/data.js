// BlockChat Explorer: every read of the node's REST API that the routed pages make, in one place.
// Where the API grows a better route (GET /blocks/:indexOrHash, GET /accounts/:idOrAddress, a 404
// for an unknown transaction), this module uses it when the node has it and falls back to the
// routes every node has (GET /blocks?from&limit, GET /accounts); the pages never change.
'use strict';

(() => {
  const PAGE = 500; // most blocks one GET /blocks answers
  const REQUEST_TIMEOUT_MS = 8000;
  const HEX = /^[0-9a-f]+$/;

  async function get(path) {
    const response = await fetch(path, { headers: { Accept: 'application/json' }, cache: 'no-store', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    let body = null;
    try {
      body = await response.json();
    } catch {
      /* not JSON */
    }
    if (!response.ok) {
      const error = new Error(body && typeof body.message === 'string' ? body.message : `${response.status} ${response.statusText}`);
      error.status = response.status;
      error.code = body && body.code;
      throw error;
    }
    return body;
  }

  /** `get`, but undefined for a 404 (something that does not exist, or a route this node lacks). */
  async function maybe(path) {
    try {
      return await get(path);
    } catch (error) {
      if (error.status === 404) return undefined;
      throw error;
    }
  }

  /** Whether the node serves GET /blocks/:indexOrHash (asked once). */
  let blockRoute = null;
  async function hasBlockRoute() {
    if (blockRoute === null) {
      const genesis = await maybe('/blocks/0');
      blockRoute = Boolean(genesis && !Array.isArray(genesis) && genesis.index === 0);
    }
    return blockRoute;
  }

  const status = () => get('/status');
  const peers = () => get('/peers');
  const accounts = () => get('/accounts');
  /** Pending transactions, oldest first (GET /pool: public and read-only). */
  const pool = () => get('/pool');
  /** Blocks `from` on, oldest first, at most `limit` (≤ 500). */
  const blocks = (from, limit) => get(`/blocks?from=${from}&limit=${limit}`);

  /** Every block, newest page first, until `visit(block)` returns true; at most `max` pages. */
  async function scanBack(visit, max = Infinity) {
    const { height } = await status();
    let pages = 0;
    for (let to = height; to >= 0 && pages < max; to -= PAGE, pages += 1) {
      const page = await blocks(Math.max(0, to - PAGE + 1), PAGE);
      for (let i = page.length - 1; i >= 0; i -= 1) if (visit(page[i])) return true;
    }
    return false;
  }

  /** A block by index or by whole hash, or undefined. */
  async function block(key) {
    const text = String(key).toLowerCase();
    if (await hasBlockRoute()) return maybe(`/blocks/${text}`);
    if (/^\d+$/.test(text)) return (await blocks(Number(text), 1)).find((b) => b.index === Number(text));
    let found;
    await scanBack((b) => {
      if (b.current_hash === text) found = b;
      return Boolean(found);
    });
    return found;
  }

  /**
   * A transaction with where it is: { tx, status, block?, final? }, or undefined. The status is the
   * node's (pending, committed, final when the node reports finality, dropped).
   */
  async function transaction(id) {
    const state = await maybe(`/transactions/${id}`);
    if (!state || state.status === 'unknown') return undefined;
    let tx;
    let holder;
    if (typeof state.block === 'number') {
      holder = await block(state.block);
      tx = holder && holder.transactions.find((t) => t.id === id);
    } else if (state.status === 'pending') {
      tx = (await pool()).find((t) => t.id === id);
    }
    return { ...state, tx, blockData: holder };
  }

  /** An account by address or node id: { id, address, balance, stake, nonce }, zero when it holds nothing. */
  async function account(key) {
    const all = await accounts();
    const text = String(key);
    const byId = /^\d+$/.test(text) ? all.find((a) => a.id === Number(text)) : undefined;
    const found = byId || all.find((a) => a.address === text);
    if (found) return found;
    if (/^\d+$/.test(text)) {
      const peer = (await peers()).find((p) => p.id === Number(text));
      if (peer) return { id: peer.id, address: peer.address, balance: 0, stake: 0, nonce: 0 };
      return undefined;
    }
    return { id: null, address: text, balance: 0, stake: 0, nonce: 0 };
  }

  const nonce = (address) => get(`/accounts/${address}/nonce`);

  /** Committed transactions of `address`, newest first; `query`: limit, before, type, direction, with. */
  function accountTransactions(address, query = {}) {
    const q = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined && v !== null));
    return get(`/accounts/${address}/transactions${q.toString() ? `?${q}` : ''}`);
  }

  /** Messages between `a` and `b`, both directions, oldest first. */
  async function conversation(a, b, limit = 200) {
    const list = await accountTransactions(a, { type: 'message', with: b, limit });
    return list.reverse();
  }

  /**
   * What a search box text names: [{ kind: 'block'|'tx'|'account', key, label }]. Digits are a block
   * index, `id3` or `node 3` a node, 66 hex digits an address, 64 a transaction or block hash, and
   * shorter hex a prefix of any of these (the pool, the accounts, then the chain newest first).
   */
  async function search(text, max = 20) {
    const q = String(text).trim().toLowerCase().replace(/^0x/, '');
    if (q === '') return [];
    if (/^\d+$/.test(q)) return [{ kind: 'block', key: q, label: `Block #${q}` }];
    const node = /^(?:id|node|#)\s*(\d+)$/.exec(q);
    if (node) {
      const peer = (await peers()).find((p) => p.id === Number(node[1]));
      return peer ? [{ kind: 'account', key: peer.address, label: `Node ${peer.id}` }] : [];
    }
    if (!HEX.test(q)) return [];
    if (q.length === 66) return [{ kind: 'account', key: q, label: q }];
    const out = [];
    const seen = new Set();
    const add = (kind, key, label) => {
      if (seen.has(`${kind}:${key}`) || out.length >= max) return;
      seen.add(`${kind}:${key}`);
      out.push({ kind, key, label });
    };
    if (q.length === 64) {
      const state = await maybe(`/transactions/${q}`);
      if (state && state.status !== 'unknown') return [{ kind: 'tx', key: q, label: `Transaction ${q}` }];
    }
    for (const a of await accounts()) if (a.address.startsWith(q)) add('account', a.address, a.id === null ? a.address : `Node ${a.id} · ${a.address}`);
    // The node finds transactions by prefix in its index (GET /transactions?prefix=); a node
    // without that route is searched page by page, newest first.
    const byPrefix = q.length >= 4 ? await maybe(`/transactions?prefix=${q}&limit=${max}`) : undefined;
    if (Array.isArray(byPrefix)) {
      for (const t of byPrefix) add('tx', t.id, t.status === 'pending' ? `Pending transaction ${t.id}` : `Transaction ${t.id} · block #${t.block}`);
    } else {
      for (const tx of await pool()) if (tx.id.startsWith(q)) add('tx', tx.id, `Pending transaction ${tx.id}`);
    }
    // Transactions found by the node's index: no need to read the chain for block hashes too.
    if (Array.isArray(byPrefix) && byPrefix.length > 0) return out;
    // Block hashes (and, without the prefix route, transactions) from the chain, newest first.
    await scanBack((b) => {
      if (b.current_hash.startsWith(q)) add('block', String(b.index), `Block #${b.index} · ${b.current_hash}`);
      if (!Array.isArray(byPrefix)) for (const tx of b.transactions) if (tx.id.startsWith(q)) add('tx', tx.id, `Transaction ${tx.id} · block #${b.index}`);
      return out.length >= max;
    });
    return out;
  }

  window.BlockChatData = { status, peers, accounts, pool, blocks, block, transaction, account, nonce, accountTransactions, conversation, search, PAGE };
})();
