// BlockChat Explorer: plain browser JavaScript, no build step, no dependencies.
// Reads this node's public REST API and follows GET /events for new blocks; falls back to polling
// when the event stream is unavailable. Every amount from the API is an integer of 1/100 BCC.
'use strict';

(() => {
  const PAGE = 500; // most blocks one GET /blocks answers
  const RECENT = 20; // blocks shown in the table
  const POLL_FALLBACK_MS = 2000; // when the event stream is down
  const POLL_LIVE_MS = 5000; // pool size changes without a block, so refresh now and then anyway
  // The pool page shows what no event announces (a transaction entering the pool): it polls as
  // often as when the event stream is down.
  const onPoolPage = () => location.hash === '#/pool';
  const DEBOUNCE_MS = 250;
  const REQUEST_TIMEOUT_MS = 4000;

  const state = {
    status: null,
    accounts: [],
    inbox: [],
    /** Newest last, at most RECENT. */
    recent: [],
    /** validator address → blocks validated, over every block but genesis. */
    counts: new Map(),
    counted: 0,
    /** Highest block index seen, -1 before the first. */
    tip: -1,
    tipHash: '',
    /** Bumped whenever the blocks are reset: an answer asked for before belongs to the old branch. */
    blocksEpoch: 0,
    /** Block indexes whose transactions are expanded in the table. */
    expanded: new Set(),
    /** 'ok' | 'error' (answers with an HTTP error) | 'offline' (unreachable); null at first. */
    health: null,
    online: null,
    streaming: false,
    lastOk: 0,
    refreshing: null,
    again: false,
  };

  const { $, bcc, integer, pct, short, clock, ago, el, svg, setText, timeCell, link, finalMark } = window.BlockChatUI;

  // ---------- who is who ----------

  function nodeIdOf(address) {
    if (address === '0') return null;
    const account = state.accounts.find((a) => a.address === address);
    return account && typeof account.id === 'number' ? account.id : null;
  }

  function nodeLabel(address) {
    if (address === '0') return 'genesis';
    const id = nodeIdOf(address);
    return id === null ? short(address, 6, 4) : `Node ${id}`;
  }

  function identity(address, markSelf = true) {
    const id = nodeIdOf(address);
    const you = markSelf && state.status && address === state.status.address;
    return el(
      'span',
      { class: 'who', title: address },
      el('span', { class: `badge${address === '0' ? ' badge-muted' : ''}${state.status && address === state.status.address ? ' badge-self' : ''}`, text: address === '0' ? 'genesis' : id === null ? '?' : `#${id}` }),
      address === '0' ? null : link(`/account/${address}`, short(address, 6, 4), { class: 'mono addr' }),
      you ? el('span', { class: 'you', title: 'This node', text: 'you' }) : null,
    );
  }

  // ---------- network ----------

  async function getJson(path) {
    const response = await fetch(path, {
      headers: { Accept: 'application/json' },
      cache: 'no-store',
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    if (!response.ok) {
      let reason = `${response.status} ${response.statusText}`;
      try {
        const body = await response.json();
        if (body && typeof body.message === 'string') reason = body.message;
      } catch {
        /* not JSON */
      }
      const error = new Error(`GET ${path}: ${reason}`);
      error.status = response.status;
      throw error;
    }
    return response.json();
  }

  /**
   * Fetches every block after the last one seen, counting validators and keeping the newest.
   * False when the blocks were reset (a reorg) while an answer was on its way: that answer may hold
   * blocks of the branch just left, so it is dropped.
   */
  async function syncBlocks() {
    const epoch = state.blocksEpoch;
    for (;;) {
      const page = await getJson(`/blocks?from=${state.tip + 1}&limit=${PAGE}`);
      if (state.blocksEpoch !== epoch) return false;
      if (!Array.isArray(page) || page.length === 0) return true;
      for (const block of page) {
        if (typeof block.index !== 'number' || block.index <= state.tip) continue;
        if (block.validator && block.validator !== '0') {
          state.counts.set(block.validator, (state.counts.get(block.validator) || 0) + 1);
          state.counted += 1;
        }
        state.tip = block.index;
        state.tipHash = block.current_hash;
        state.recent.push(block);
      }
      if (state.recent.length > RECENT) state.recent.splice(0, state.recent.length - RECENT);
      if (page.length < PAGE) return true;
    }
  }

  function resetBlocks() {
    state.recent = [];
    state.counts = new Map();
    state.counted = 0;
    state.tip = -1;
    state.tipHash = '';
    state.blocksEpoch += 1;
  }

  /** One refresh at a time; a request for another while one runs schedules exactly one more. */
  function refresh() {
    if (state.refreshing) {
      state.again = true;
      return state.refreshing;
    }
    state.refreshing = (async () => {
      try {
        do {
          state.again = false;
          await refreshOnce();
        } while (state.again);
      } finally {
        state.refreshing = null;
      }
    })();
    return state.refreshing;
  }

  async function refreshOnce() {
    let status;
    let accounts;
    let inbox;
    try {
      [status, accounts, inbox] = await Promise.all([
        getJson('/status'),
        getJson('/accounts'),
        getJson('/wallet/inbox').catch(() => null),
      ]);
    } catch (error) {
      setOnline(false, error);
      return;
    }
    // A node restarted with a different (shorter) chain: start counting again.
    if (state.status && (status.address !== state.status.address || (typeof status.height === 'number' && status.height < state.status.height))) {
      resetBlocks();
    }
    state.status = status;
    state.accounts = Array.isArray(accounts) ? accounts : [];
    if (Array.isArray(inbox)) state.inbox = inbox;
    let blocksError = null;
    if (status.last_hash === undefined || status.last_hash !== state.tipHash) {
      try {
        if (!(await syncBlocks())) {
          // Reset meanwhile: ask again, from the new branch, before showing anything.
          state.again = true;
          return;
        }
      } catch (error) {
        blocksError = error;
      }
    }
    state.lastOk = Date.now();
    // The node answers but its block list does not: show what we have and say what is missing.
    setOnline(blocksError === null, blocksError);
    render();
    if (window.BlockChatPages) window.BlockChatPages.refreshPool(status);
  }

  // Coalesces bursts of block events into one refresh at most every DEBOUNCE_MS. The timer is not
  // pushed back by later events, so a steady stream of blocks cannot starve the page.
  let debounceTimer = 0;
  function refreshSoon() {
    if (debounceTimer) return;
    debounceTimer = setTimeout(() => {
      debounceTimer = 0;
      refresh();
    }, DEBOUNCE_MS);
  }

  // Polling: every 2 s while the event stream is down (or the pool page is shown), every 5 s as a
  // safety net while it is up.
  let pollTimer = 0;
  function schedulePoll() {
    clearTimeout(pollTimer);
    const delay = state.streaming && state.health === 'ok' && !onPoolPage() ? POLL_LIVE_MS : POLL_FALLBACK_MS;
    pollTimer = setTimeout(async () => {
      if (!document.hidden) await refresh();
      schedulePoll();
    }, delay);
  }

  let events = null;
  let reopenTimer = 0;
  function openEvents() {
    if (typeof EventSource === 'undefined') return;
    clearTimeout(reopenTimer);
    if (events) events.close();
    events = new EventSource('/events');
    events.addEventListener('open', () => {
      state.streaming = true;
      renderConnection();
      refreshSoon(); // blocks may have been missed while the stream was down
    });
    events.addEventListener('block', (event) => {
      state.streaming = true;
      try {
        const data = JSON.parse(event.data);
        if (typeof data.index === 'number' && data.index <= state.tip) return;
      } catch {
        /* refresh anyway */
      }
      refreshSoon();
    });
    // The finalised checkpoint rose: blocks shown as not final may be final now.
    events.addEventListener('final', () => {
      state.streaming = true;
      refreshSoon();
      if (window.BlockChatPages) window.BlockChatPages.refreshLive();
    });
    // The node switched to a better branch: blocks already shown may be gone. Count again.
    events.addEventListener('reorg', () => {
      resetBlocks();
      refreshSoon();
    });
    events.addEventListener('error', () => {
      const wasStreaming = state.streaming;
      state.streaming = false;
      renderConnection();
      if (wasStreaming) schedulePoll(); // switch to the fast fallback now
      if (events && events.readyState === EventSource.CLOSED) {
        // The browser gave up (e.g. the node answered an error): try again a little later.
        reopenTimer = setTimeout(openEvents, 10000);
      }
    });
  }

  // ---------- rendering ----------

  /**
   * ok: everything answered. Otherwise either the node is unreachable (network error, timeout:
   * "offline") or it answered with an HTTP error ("error"); both show the banner and retry.
   */
  function setOnline(ok, error) {
    const kind = ok ? 'ok' : error && error.status ? 'error' : 'offline';
    const changed = state.health !== kind;
    state.health = kind;
    state.online = kind !== 'offline';
    const banner = $('offline-banner');
    document.body.classList.toggle('is-offline', kind === 'offline');
    if (kind === 'ok') {
      banner.hidden = true;
    } else {
      const since = state.lastOk ? ` Showing data from ${clock(state.lastOk)}.` : '';
      const retry = `Retrying every ${POLL_FALLBACK_MS / 1000} seconds.`;
      if (kind === 'offline') {
        setText('offline-title', 'This node is not reachable.');
        setText('offline-detail', `${retry}${since}`);
      } else {
        setText('offline-title', 'The node answered with an error.');
        setText('offline-detail', `${error.message}. ${retry}`);
      }
      banner.dataset.kind = kind;
      banner.hidden = false;
      if (!state.status) {
        const text = kind === 'offline' ? 'No data: the node is not reachable.' : 'No data: the node answered with an error.';
        for (const [id, colspan] of [['blocks-body', 5], ['accounts-body', 4]]) {
          $(id).replaceChildren(el('tr', { class: 'empty' }, el('td', { colspan, text })));
        }
        $('inbox').replaceChildren(el('li', { class: 'inbox-empty', text }));
        setText('node-line', kind === 'offline' ? 'Node not reachable' : 'Node error');
      }
    }
    if (changed) {
      renderConnection();
      schedulePoll();
    }
  }

  function renderConnection() {
    const box = $('connection');
    let mode = 'connecting';
    let text = 'Connecting…';
    if (state.health === 'offline') {
      mode = 'offline';
      text = 'Offline';
    } else if (state.health === 'error') {
      mode = 'offline';
      text = 'Error';
    } else if (state.online && state.streaming) {
      mode = 'live';
      text = 'Live';
    } else if (state.online) {
      mode = 'polling';
      text = 'Polling every 2 s';
    }
    box.dataset.state = mode;
    setText('connection-text', text);
  }

  function render() {
    renderStatus();
    renderBlocks();
    renderAccounts();
    renderChart();
    renderInbox();
    setText('updated', `Updated ${clock(state.lastOk)}`);
  }

  function renderStatus() {
    const s = state.status;
    if (!s) return;
    setText('height', integer.format(s.height));
    setText('pool', typeof s.pool === 'number' ? integer.format(s.pool) : '—');
    setText('size', `${s.n} · ${s.capacity}`);
    const next = $('next-validator');
    if (s.next_validator) next.replaceChildren(identity(s.next_validator));
    else next.textContent = '—';
    setText('last-hash', s.last_hash || '—', s.last_hash || '');
    setText('node-line', `Node ${s.id} · ${short(s.address, 10, 6)}`, s.address);
    $('not-ready').hidden = s.ready !== false;
    setText('footer-node', `Served by node ${s.id} of ${s.n}${s.verifier ? ` · verifier: ${s.verifier}` : ''}`);
    document.title = `#${s.height} · Node ${s.id} · BlockChat Explorer`;
  }

  function txLine(tx) {
    const what =
      tx.type === 'coins'
        ? `${bcc(tx.amount)} BCC`
        : tx.type === 'stake'
          ? `stake → ${bcc(tx.amount)} BCC`
          : `“${tx.message}”`;
    return el(
      'li',
      { class: `tx tx-${tx.type}` },
      el('span', { class: 'tx-type', text: tx.type }),
      el('span', { class: 'tx-parties', text: tx.type === 'stake' ? nodeLabel(tx.sender) : `${nodeLabel(tx.sender)} → ${nodeLabel(tx.receiver)}` }),
      el('span', { class: 'tx-what', text: what }),
      el('span', { class: 'mono muted tx-id', title: tx.id, text: String(tx.id).slice(0, 10) }),
    );
  }

  function renderBlocks() {
    const body = $('blocks-body');
    const rows = [];
    const blocks = state.recent.slice().reverse();
    for (const block of blocks) {
      const open = state.expanded.has(block.index);
      const txs = Array.isArray(block.transactions) ? block.transactions : [];
      const detailId = `block-${block.index}-txs`;
      const toggle = el(
        'button',
        {
          type: 'button',
          class: 'row-toggle',
          'aria-expanded': open ? 'true' : 'false',
          'aria-controls': detailId,
          title: open ? 'Hide transactions' : 'Show transactions',
          onclick: () => {
            if (state.expanded.has(block.index)) state.expanded.delete(block.index);
            else state.expanded.add(block.index);
            renderBlocks();
            const again = document.querySelector(`[aria-controls="${detailId}"]`);
            if (again) again.focus();
          },
        },
        el('span', { class: 'chevron', 'aria-hidden': 'true' }),
        el('span', { class: 'visually-hidden', text: 'Block ' }),
        `#${integer.format(block.index)}`,
      );
      const final = finalMark(block.index, state.status && state.status.final_height);
      rows.push(
        el(
          'tr',
          { class: `block-row${open ? ' is-open' : ''}`, dataset: { index: String(block.index) } },
          el('th', { scope: 'row' }, toggle, final ? ' ' : null, final),
          el('td', {}, identity(block.validator, false)),
          el('td', { class: 'num', text: String(txs.length) }),
          el('td', {}, timeCell(block.timestamp)),
          el('td', { class: 'mono', title: block.current_hash }, link(`/block/${block.index}`, short(block.current_hash, 8, 4))),
        ),
      );
      if (open) {
        rows.push(
          el(
            'tr',
            { class: 'block-detail', id: detailId },
            el(
              'td',
              { colspan: 5 },
              txs.length ? el('ul', { class: 'tx-list' }, ...txs.map(txLine)) : el('p', { class: 'muted', text: 'No transactions.' }),
            ),
          ),
        );
      }
    }
    if (rows.length === 0) rows.push(el('tr', { class: 'empty' }, el('td', { colspan: 5, text: 'No blocks yet.' })));
    body.replaceChildren(...rows);
    const first = state.recent[0];
    const last = state.recent[state.recent.length - 1];
    setText('blocks-meta', first && last ? `Showing #${integer.format(first.index)}–#${integer.format(last.index)}` : '');
  }

  function sortedAccounts() {
    return state.accounts.slice().sort((a, b) => {
      const ia = typeof a.id === 'number' ? a.id : Infinity;
      const ib = typeof b.id === 'number' ? b.id : Infinity;
      return ia - ib || String(a.address).localeCompare(String(b.address));
    });
  }

  function renderAccounts() {
    const body = $('accounts-body');
    const me = state.status ? state.status.address : '';
    let balance = 0;
    let stake = 0;
    const rows = sortedAccounts().map((a) => {
      balance += a.balance;
      stake += a.stake;
      return el(
        'tr',
        { class: a.address === me ? 'is-me' : '', dataset: { address: a.address, id: a.id === null ? '' : String(a.id) } },
        el(
          'th',
          { scope: 'row', class: 'account' },
          el(
            'span',
            { class: 'account-line' },
            el('span', { class: 'badge', text: a.id === null ? '—' : `#${a.id}` }),
            el('span', { class: 'account-name', text: a.id === null ? 'External' : `Node ${a.id}` }),
            a.address === me ? el('span', { class: 'you', title: 'This node', text: 'you' }) : null,
          ),
          link(`/account/${a.address}`, short(a.address, 6, 4), { class: 'mono addr', title: a.address }),
        ),
        el('td', { class: 'num balance', text: bcc(a.balance) }),
        el('td', { class: 'num stake', text: bcc(a.stake) }),
        el('td', { class: 'num nonce', text: integer.format(a.nonce) }),
      );
    });
    if (rows.length === 0) rows.push(el('tr', { class: 'empty' }, el('td', { colspan: 4, text: 'No accounts yet.' })));
    body.replaceChildren(...rows);
    $('accounts-foot').replaceChildren(
      el(
        'tr',
        {},
        el('th', { scope: 'row', text: 'Total' }),
        el('td', { class: 'num', text: bcc(balance) }),
        el('td', { class: 'num', text: bcc(stake) }),
        el('td', {}),
      ),
    );
    setText('accounts-meta', `Amounts in BCC · supply ${bcc(balance + stake)}`);
  }

  function shareRows() {
    const stakers = sortedAccounts().filter((a) => a.id !== null || a.stake > 0 || state.counts.has(a.address));
    const known = new Set(stakers.map((a) => a.address));
    for (const address of state.counts.keys()) {
      if (!known.has(address)) stakers.push({ id: null, address, stake: 0, balance: 0, nonce: 0 });
    }
    const totalStake = stakers.reduce((sum, a) => sum + (a.stake > 0 ? a.stake : 0), 0);
    return stakers.map((a) => {
      const blocks = state.counts.get(a.address) || 0;
      return {
        label: a.id === null ? short(a.address, 6, 4) : `Node ${a.id}`,
        address: a.address,
        blocks,
        blockShare: state.counted ? blocks / state.counted : 0,
        stakeShare: totalStake ? Math.max(0, a.stake) / totalStake : 0,
      };
    });
  }

  function renderChart() {
    const rows = shareRows();
    const host = $('chart');
    setText('chart-meta', `${integer.format(state.counted)} blocks validated`);

    $('share-body').replaceChildren(
      ...rows.map((r) =>
        el(
          'tr',
          {},
          el('th', { scope: 'row', text: r.label }),
          el('td', { class: 'num', text: integer.format(r.blocks) }),
          el('td', { class: 'num', text: pct(r.blockShare) }),
          el('td', { class: 'num', text: pct(r.stakeShare) }),
        ),
      ),
    );

    if (rows.length === 0) {
      host.replaceChildren(el('p', { class: 'muted', text: 'No validators yet.' }));
      return;
    }

    const width = Math.max(260, Math.floor(host.clientWidth || 480));
    const labelW = 64;
    const valueW = 50;
    const barH = 11;
    const gap = 3;
    const rowGap = 14;
    const top = 6;
    const rowH = barH * 2 + gap + rowGap;
    const axisH = 22;
    const plotW = width - labelW - valueW - 8;
    const maxShare = Math.max(0.05, ...rows.map((r) => Math.max(r.blockShare, r.stakeShare)));
    // A round top of the axis: the next multiple of 10 %, or of 5 % for small shares.
    const step = maxShare > 0.5 ? 0.2 : maxShare > 0.2 ? 0.1 : 0.05;
    const axisMax = Math.min(1, Math.ceil(maxShare / step - 1e-9) * step);
    const x = (share) => labelW + (plotW * share) / axisMax;
    const height = top + rows.length * rowH - rowGap + 10 + axisH;

    const summary = rows
      .map((r) => `${r.label}: ${pct(r.blockShare)} of blocks, ${pct(r.stakeShare)} of stake`)
      .join('; ');
    const root = svg('svg', {
      class: 'share-chart',
      width,
      height,
      viewBox: `0 0 ${width} ${height}`,
      role: 'img',
      'aria-labelledby': 'chart-title chart-desc',
    });
    root.append(svg('title', { id: 'chart-title' }, 'Share of blocks against share of stake per validator'));
    root.append(svg('desc', { id: 'chart-desc' }, summary));

    const plotBottom = top + rows.length * rowH - rowGap + 6;
    const ticks = Math.round(axisMax / step);
    for (let i = 0; i <= ticks; i += 1) {
      const share = i * step;
      const gx = x(share);
      root.append(svg('line', { class: i === 0 ? 'axis' : 'grid', x1: gx, x2: gx, y1: top - 4, y2: plotBottom }));
      root.append(svg('text', { class: 'tick', x: gx, y: plotBottom + 15, 'text-anchor': 'middle' }, `${Math.round(share * 100)}%`));
    }

    rows.forEach((r, i) => {
      const y = top + i * rowH;
      const g = svg('g', { class: 'bar-group' });
      g.append(svg('text', { class: 'label', x: labelW - 10, y: y + barH + gap / 2 + 4, 'text-anchor': 'end' }, r.label));
      const bw = Math.max(r.blockShare > 0 ? 2 : 0, x(r.blockShare) - labelW);
      const sw = Math.max(r.stakeShare > 0 ? 2 : 0, x(r.stakeShare) - labelW);
      const b = svg('rect', { class: 'bar bar-blocks', x: labelW, y, width: bw, height: barH, rx: 2 });
      b.append(svg('title', {}, `${r.label}: ${r.blocks} blocks, ${pct(r.blockShare)}`));
      const s = svg('rect', { class: 'bar bar-stake', x: labelW, y: y + barH + gap, width: sw, height: barH, rx: 2 });
      s.append(svg('title', {}, `${r.label}: ${pct(r.stakeShare)} of stake`));
      g.append(b, s);
      g.append(svg('text', { class: 'value value-blocks', x: labelW + bw + 6, y: y + barH - 2 }, pct(r.blockShare)));
      g.append(svg('text', { class: 'value value-stake', x: labelW + sw + 6, y: y + 2 * barH + gap - 2 }, pct(r.stakeShare)));
      root.append(g);
    });
    host.replaceChildren(root);
  }

  function renderInbox() {
    const list = $('inbox');
    const items = state.inbox.slice(0, 50).map((m) =>
      el(
        'li',
        { class: 'message' },
        el(
          'div',
          { class: 'message-head' },
          el('span', { class: 'message-from' }, 'From ', identity(m.from)),
          el(
            'span',
            { class: 'message-meta' },
            link(`/block/${m.block}`, `block #${integer.format(m.block)}`),
            ' · ',
            timeCell(m.timestamp),
            ...(state.status ? [' · ', link(`/conversation/${state.status.address}/${m.from}`, 'conversation')] : []),
          ),
        ),
        el('p', { class: 'message-text', text: m.message }),
      ),
    );
    if (items.length === 0) {
      items.push(
        el(
          'li',
          { class: 'inbox-empty' },
          'No messages yet. Send one to this node with ',
          el('code', { text: `blockchat cli -p PORT -- m ${state.status ? state.status.id : 'ID'} hello` }),
          '.',
        ),
      );
    }
    list.replaceChildren(...items);
    setText('inbox-meta', state.inbox.length ? `${integer.format(state.inbox.length)} total` : '');
  }

  // Relative times ("5s ago") tick without refetching anything.
  function tickAges() {
    for (const node of document.querySelectorAll('[data-ago]')) {
      const text = ago(Number(node.dataset.ago));
      if (node.textContent !== text) node.textContent = text;
    }
  }

  // ---------- start ----------

  function start() {
    $('retry-button').addEventListener('click', () => {
      setText('offline-detail', 'Retrying…');
      refresh().then(() => {
        if (state.health !== 'offline' && !state.streaming) openEvents();
      });
    });
    document.addEventListener('visibilitychange', () => {
      if (!document.hidden) refresh();
    });
    let resizeTimer = 0;
    window.addEventListener('resize', () => {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(renderChart, 100);
    });
    window.addEventListener('hashchange', () => {
      if (onPoolPage()) schedulePoll(); // poll at the pool page's pace from now on
    });
    setInterval(tickAges, 1000);
    refresh().then(() => schedulePoll());
    openEvents();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
