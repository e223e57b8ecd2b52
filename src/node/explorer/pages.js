// BlockChat Explorer: the routed pages. Each has its own link (a hash route, so the node serves one
// page): #/blocks[/N], #/block/INDEX-or-HASH, #/tx/ID, #/account/ADDRESS-or-ID, #/pool,
// #/conversation/A/B, #/nodes, #/search/TEXT. The overview (app.js) is #/. Data comes from data.js.
'use strict';

(() => {
  const { $, bcc, integer, short, el, link, timeCell, finalMark } = window.BlockChatUI;
  const api = window.BlockChatData;
  const BLOCKS_PER_PAGE = 25;
  const POOL_SHOWN = 500;

  let accountsById = new Map();
  let nodeOf = new Map();
  async function loadNames() {
    try {
      const peers = await api.peers();
      accountsById = new Map(peers.map((p) => [p.id, p]));
      nodeOf = new Map(peers.map((p) => [p.address, p.id]));
    } catch {
      /* names are a nicety: addresses are shown instead */
    }
  }

  /** An address as a link to its account page: "Node 3" or a short address. */
  function who(address) {
    if (address === '0') return el('span', { class: 'muted', text: 'genesis' });
    const id = nodeOf.get(address);
    return link(`/account/${address}`, id === undefined ? short(address, 8, 6) : `Node ${id}`, { class: 'who-link', title: address });
  }

  function txLink(id, full) {
    return link(`/tx/${id}`, full ? id : short(id, 10, 6), { class: 'mono', title: id });
  }

  function what(tx) {
    if (tx.type === 'coins') return `${bcc(tx.amount)} BCC`;
    if (tx.type === 'stake') return `stake → ${bcc(tx.amount)} BCC`;
    return `“${tx.message}”`;
  }

  /** A table of transactions: id, type, from, to, what, and the block when known. */
  function txTable(caption, txs, withBlock) {
    const head = ['Transaction', 'Type', 'From', 'To', 'Amount or message', ...(withBlock ? ['Block'] : [])];
    const rows = txs.map((tx) =>
      el(
        'tr',
        { dataset: { id: tx.id } },
        el('th', { scope: 'row' }, txLink(tx.id)),
        el('td', { text: tx.type }),
        el('td', {}, who(tx.sender)),
        el('td', {}, tx.type === 'stake' ? '—' : who(tx.receiver)),
        el('td', { class: 'tx-what', text: what(tx) }),
        withBlock ? el('td', {}, link(`/block/${tx.block}`, `#${integer.format(tx.block)}`)) : null,
      ),
    );
    if (rows.length === 0) rows.push(el('tr', { class: 'empty' }, el('td', { colspan: head.length, text: 'None.' })));
    return el(
      'div',
      { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': caption },
      el(
        'table',
        { class: 'data' },
        el('caption', { class: 'visually-hidden', text: caption }),
        el('thead', {}, el('tr', {}, ...head.map((h) => el('th', { scope: 'col', text: h })))),
        el('tbody', {}, ...rows),
      ),
    );
  }

  function facts(pairs) {
    return el('dl', { class: 'facts' }, ...pairs.filter(Boolean).flatMap(([k, v]) => [el('dt', { text: k }), el('dd', {}, v)]));
  }

  function pager(label, older, newer) {
    return el(
      'nav',
      { class: 'pager', 'aria-label': label },
      newer ? link(newer, 'Newer', { class: 'button', rel: 'prev' }) : null,
      older ? link(older, 'Older', { class: 'button', rel: 'next' }) : null,
    );
  }

  function statusBadge(state) {
    const final = state.final === true || state.status === 'final';
    const text = final ? 'final' : state.status;
    return el('span', { class: `status status-${text}`, dataset: { status: text }, text });
  }

  // ---------- pages ----------

  async function blocksPage(top) {
    const { height, final_height: finalHeight } = await api.status();
    const last = Math.min(top === undefined ? height : top, height);
    const first = Math.max(0, last - BLOCKS_PER_PAGE + 1);
    const blocks = (await api.blocks(first, last - first + 1)).reverse();
    const rows = blocks.map((b) =>
      el(
        'tr',
        { dataset: { index: String(b.index) } },
        el('th', { scope: 'row' }, link(`/block/${b.index}`, `#${integer.format(b.index)}`)),
        el('td', {}, who(b.validator)),
        el('td', { class: 'num', text: String(b.transactions.length) }),
        el('td', {}, timeCell(b.timestamp)),
        el('td', { class: 'mono', title: b.current_hash, text: short(b.current_hash, 10, 6) }),
        el('td', {}, finalMark(b.index, finalHeight)),
      ),
    );
    return [
      `Blocks #${integer.format(first)}–#${integer.format(last)}`,
      el('p', { class: 'muted', text: `The chain holds ${integer.format(height + 1)} blocks; newest first.` }),
      el(
        'div',
        { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': 'Blocks' },
        el(
          'table',
          { class: 'data', id: 'chain-table' },
          el('thead', {}, el('tr', {}, ...['Block', 'Validator', 'Txs', 'Time', 'Hash', 'Final'].map((h) => el('th', { scope: 'col', text: h })))),
          el('tbody', {}, ...rows),
        ),
      ),
      pager('Pages of blocks', first > 0 ? `/blocks/${first - 1}` : null, last < height ? `/blocks/${Math.min(height, last + BLOCKS_PER_PAGE)}` : null),
    ];
  }

  async function blockPage(key) {
    const b = await api.block(key);
    if (!b) return notFound(`There is no block ${key} on this node's chain.`);
    const { height, final_height: finalHeight } = await api.status();
    const final = finalMark(b.index, finalHeight);
    return [
      `Block #${integer.format(b.index)}`,
      facts([
        ['Hash', el('span', { class: 'mono wrap', text: b.current_hash })],
        ['Previous', b.index > 0 ? link(`/block/${b.index - 1}`, b.previous_hash, { class: 'mono wrap' }) : el('span', { class: 'mono', text: b.previous_hash })],
        ['Validator', who(b.validator)],
        // the round of the draw the block was proposed in (version 2; the genesis has none)
        typeof b.round === 'number' ? ['Round', el('span', { id: 'block-round', text: String(b.round) })] : null,
        ['Time', timeCell(b.timestamp)],
        ['Transactions', String(b.transactions.length)],
        final ? ['Final', el('span', { id: 'block-final' }, final)] : null,
      ]),
      pager('Neighbouring blocks', b.index > 0 ? `/block/${b.index - 1}` : null, b.index < height ? `/block/${b.index + 1}` : null),
      el('h3', { text: 'Transactions' }),
      txTable(`Transactions of block ${b.index}`, b.transactions, false),
    ];
  }

  async function txPage(id) {
    const found = await api.transaction(id);
    if (!found) return notFound(`This node knows no transaction ${id}.`);
    const tx = found.tx;
    const parts = [
      ['Id', el('span', { class: 'mono wrap', id: 'tx-id', text: id })],
      ['Status', statusBadge(found)],
      typeof found.block === 'number' ? ['Block', link(`/block/${found.block}`, `#${integer.format(found.block)}`, { id: 'tx-block' })] : null,
      found.reason ? ['Reason', found.reason] : null,
    ];
    if (tx) {
      parts.push(
        ['Type', tx.type],
        ['From', who(tx.sender)],
        tx.type === 'stake' ? null : ['To', who(tx.receiver)],
        [tx.type === 'message' ? 'Message' : 'Amount', el('span', { class: tx.type === 'message' ? 'message-text' : '', text: tx.type === 'message' ? tx.message : `${bcc(tx.amount)} BCC` })],
        ['Nonce', String(tx.nonce)],
        found.blockData ? ['Time', timeCell(found.blockData.timestamp)] : null,
        ['Signature', el('span', { class: 'mono wrap muted', text: tx.signature })],
      );
    }
    const out = [`Transaction ${short(id, 10, 6)}`, facts(parts)];
    if (tx && tx.type === 'message') out.push(el('p', {}, link(`/conversation/${tx.sender}/${tx.receiver}`, 'The whole conversation')));
    return out;
  }

  async function accountPage(key, before) {
    const a = await api.account(key);
    if (!a) return notFound(`There is no account ${key}.`);
    const [nonce, txs, pending] = await Promise.all([
      api.nonce(a.address),
      api.accountTransactions(a.address, { limit: 50, before }),
      api.pool().then((all) => all.filter((t) => t.sender === a.address || t.receiver === a.address)),
    ]);
    const peer = a.id === null ? undefined : accountsById.get(a.id);
    const partners = [...new Set(txs.filter((t) => t.type === 'message').map((t) => (t.sender === a.address ? t.receiver : t.sender)))];
    // the next page starts after the last one shown, inside its block if the page ended there
    const last = txs[txs.length - 1];
    const next = last === undefined ? undefined : `${last.block}.${last.position}`;
    return [
      a.id === null ? 'Account' : `Node ${a.id}`,
      facts([
        ['Address', el('span', { class: 'mono wrap', id: 'account-address', text: a.address })],
        ['Kind', a.id === null ? 'A wallet that is no node' : `Node ${a.id}`],
        ['Balance', el('span', { id: 'account-balance', text: `${bcc(a.balance)} BCC` })],
        ['Stake', `${bcc(a.stake)} BCC`],
        a.slashed ? ['Slashed', el('span', { id: 'account-slashed', class: 'status status-dropped', text: 'slashed: its stake was burned for equivocation, and it may not stake again' })] : null,
        ['Nonce', `${integer.format(a.nonce)} committed · next ${integer.format(nonce.next_nonce)} (${integer.format(nonce.pending)} pending)`],
        peer ? ['Explorer', el('a', { href: `http://${peer.host}:${peer.port}/`, text: `http://${peer.host}:${peer.port}/` })] : null,
      ]),
      partners.length
        ? el('nav', { 'aria-label': 'Conversations' }, el('h3', { text: 'Conversations' }), el('ul', { class: 'links' }, ...partners.map((p) => el('li', {}, link(`/conversation/${a.address}/${p}`, nodeOf.has(p) ? `With node ${nodeOf.get(p)}` : `With ${short(p, 8, 6)}`)))))
        : null,
      el('h3', { text: 'Pending' }),
      txTable('Pending transactions of this account', pending, false),
      el('h3', { text: 'Committed, newest first' }),
      txTable('Committed transactions of this account', txs, true),
      pager('Pages of transactions', txs.length === 50 && next !== undefined ? `/account/${a.address}/${next}` : null, before !== undefined ? `/account/${a.address}` : null),
    ];
  }

  /** What the pool page last drew: how many transactions (-1 while it loads), and the tip then. */
  let poolDrawn = { size: -1, lastHash: undefined };

  async function poolPage() {
    poolDrawn = { ...poolDrawn, size: -1 };
    const txs = await api.pool();
    poolDrawn = { ...poolDrawn, size: txs.length };
    return [
      'Pending transactions',
      el('p', { class: 'muted', id: 'pool-count', text: `${integer.format(txs.length)} in this node's pool, oldest first${txs.length > POOL_SHOWN ? ` (the first ${POOL_SHOWN} shown)` : ''}.` }),
      txTable('Pending transactions', txs.slice(0, POOL_SHOWN), false),
    ];
  }

  async function conversationPage(a, b) {
    const messages = await api.conversation(a, b);
    const items = messages.map((m) =>
      el(
        'li',
        { class: `message ${m.sender === a ? 'from-a' : 'from-b'}`, dataset: { id: m.id } },
        el('div', { class: 'message-head' }, el('span', { class: 'message-from' }, who(m.sender), ' → ', who(m.receiver)), el('span', { class: 'message-meta' }, link(`/block/${m.block}`, `block #${integer.format(m.block)}`), ' · ', timeCell(m.timestamp), ' · ', txLink(m.id))),
        el('p', { class: 'message-text', text: m.message }),
      ),
    );
    if (items.length === 0) items.push(el('li', { class: 'inbox-empty', text: 'No messages between these two yet.' }));
    return [el('span', {}, 'Conversation of ', who(a), ' and ', who(b)), el('ol', { class: 'inbox conversation' }, ...items)];
  }

  async function nodesPage() {
    const [peers, me] = await Promise.all([api.peers(), api.status()]);
    const rows = peers.map((p) =>
      el(
        'tr',
        { dataset: { id: String(p.id) } },
        el('th', { scope: 'row' }, link(`/account/${p.address}`, `Node ${p.id}`)),
        el('td', { class: 'mono', title: p.address, text: short(p.address, 10, 6) }),
        el('td', {}, el('a', { class: 'node-explorer', href: `http://${p.host}:${p.port}/`, text: `${p.host}:${p.port}` }), p.id === me.id ? el('span', { class: 'you', text: 'this explorer' }) : null),
      ),
    );
    return [
      'Nodes',
      el(
        'div',
        { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': 'Nodes' },
        el('table', { class: 'data' }, el('thead', {}, el('tr', {}, ...['Node', 'Address', 'Its explorer'].map((h) => el('th', { scope: 'col', text: h })))), el('tbody', {}, ...rows)),
      ),
    ];
  }

  async function searchPage(text) {
    const results = await api.search(text);
    if (results.length === 1) {
      const [r] = results;
      location.replace(`#/${r.kind}/${r.key}`);
      return null;
    }
    return [
      `Search: ${text}`,
      results.length
        ? el('ul', { class: 'links search-results' }, ...results.map((r) => el('li', {}, link(`/${r.kind}/${r.key}`, r.label, { class: 'mono wrap' }))))
        : el('p', { text: 'Nothing found: try a block number, a transaction id or its first characters, an address, or a node as id3.' }),
    ];
  }

  function notFound(text) {
    return ['Not found', el('p', { text })];
  }

  // ---------- the router ----------

  const ROUTES = [
    [/^\/blocks(?:\/(\d+))?$/, (m) => blocksPage(m[1] === undefined ? undefined : Number(m[1]))],
    [/^\/block\/([0-9a-fA-F]+)$/, (m) => blockPage(m[1])],
    [/^\/tx\/([0-9a-f]{64})$/, (m) => txPage(m[1])],
    [/^\/account\/([0-9a-f]{66}|\d+)(?:\/(\d+(?:\.\d+)?))?$/, (m) => accountPage(m[1], m[2])],
    [/^\/pool$/, () => poolPage()],
    [/^\/conversation\/([0-9a-f]{66})\/([0-9a-f]{66})$/, (m) => conversationPage(m[1], m[2])],
    [/^\/nodes$/, () => nodesPage()],
    [/^\/search\/(.*)$/, (m) => searchPage(decodeURIComponent(m[1]))],
  ];

  let shown = 0; // the latest route asked for: an older answer arriving late is dropped
  /** Pages that show finality: redrawn in place when the finalised checkpoint rises. */
  const LIVE = /^\/(blocks|block|tx)(\/|$)/;
  const POOL = /^\/pool$/;
  /** Redraws the routed page in place (no "Loading…", focus kept) when it is one of `pages`. */
  function redrawIf(pages) {
    const path = location.hash.replace(/^#/, '') || '/';
    if (pages.test(path)) route(true);
  }
  /** The finalised checkpoint rose: redraws the pages that show finality. */
  const refreshLive = () => redrawIf(LIVE);
  /**
   * Redraws the pool page when the node's status says its pool is not what the page shows: another
   * count (a transaction came in, or a block took some out), or another tip since the last draw.
   * Compared with what was drawn, not with the previous status: GET /pool may answer a page up to
   * a second old, and the next status then asks again.
   */
  function refreshPool(status) {
    if (poolDrawn.size === -1 || (status.pool === poolDrawn.size && status.last_hash === poolDrawn.lastHash)) return;
    poolDrawn = { ...poolDrawn, lastHash: status.last_hash };
    redrawIf(POOL);
  }

  async function route(quiet) {
    const path = location.hash.replace(/^#/, '') || '/';
    const home = path === '/' || path === '';
    $('home').hidden = !home;
    $('page').hidden = home;
    for (const a of document.querySelectorAll('.nav a')) {
      const target = a.getAttribute('href').slice(1);
      if (target === '/' ? home : path.startsWith(target)) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    if (home) return;
    const ticket = (shown += 1);
    const body = $('page-body');
    if (quiet !== true) body.replaceChildren(el('p', { class: 'muted', text: 'Loading…' }));
    const match = ROUTES.map(([re, make]) => [re.exec(path), make]).find(([m]) => m);
    let parts;
    try {
      if (nodeOf.size === 0) await loadNames();
      parts = match ? await match[1](match[0]) : notFound(`No page ${path}.`);
    } catch (error) {
      parts = ['Could not load this page', el('p', { text: error.message })];
    }
    if (ticket !== shown || parts === null) return;
    const [title, ...content] = parts;
    const heading = $('page-heading');
    heading.replaceChildren(title);
    body.replaceChildren(...content.filter(Boolean));
    document.title = `${heading.textContent} · BlockChat Explorer`;
    if (quiet !== true) heading.focus();
  }

  function start() {
    $('search-form').addEventListener('submit', (event) => {
      event.preventDefault();
      const text = $('search').value.trim();
      if (!text) return;
      const target = `#/search/${encodeURIComponent(text)}`;
      if (location.hash === target) route();
      else location.hash = target;
    });
    window.addEventListener('hashchange', () => route());
    route();
  }

  window.BlockChatPages = { refreshLive, refreshPool };

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
