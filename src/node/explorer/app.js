// BlockChat Explorer: plain browser JavaScript, no build step, no dependencies.
// Reads this node's public REST API and follows GET /events for new blocks; falls back to polling
// when the event stream is unavailable. Every amount from the API is an integer of 1/100 BCC. The
// overview is drawn by overview.js from the state kept here.
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

  const { $, clock, el, setText } = window.BlockChatUI;
  const { render, renderChart, tickAges } = window.BlockChatOverview(state);

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
