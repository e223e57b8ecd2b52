// BlockChat Explorer: drawing the overview (#/) from what app.js keeps in its state: the node's
// status, the recent blocks, the accounts and stakes, the validators' shares and the inbox. Reads
// nothing from the network; app.js calls render() after every refresh.
'use strict';

(() => {
  /** The overview's drawing over app.js's `state` (read only, but for the blocks expanded). */
  function overview(state) {
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

    return { render, renderChart, tickAges };
  }

  window.BlockChatOverview = overview;
})();
