// BlockChat Explorer: formatting and DOM helpers shared by the dashboard (app.js) and the routed
// pages (pages.js). Plain browser JavaScript, no build step. Text is always set as text: messages
// and addresses are never parsed as HTML.
'use strict';

(() => {
  const UNITS_PER_BCC = 100;
  const SVG_NS = 'http://www.w3.org/2000/svg';
  const $ = (id) => document.getElementById(id);

  // ---------- formatting ----------

  /** Units → "1,234.50" (integer arithmetic only). */
  function bcc(units) {
    if (typeof units !== 'number' || !Number.isFinite(units)) return '—';
    const sign = units < 0 ? '-' : '';
    const abs = Math.abs(Math.trunc(units));
    const whole = String(Math.floor(abs / UNITS_PER_BCC)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    const cents = String(abs % UNITS_PER_BCC).padStart(2, '0');
    return `${sign}${whole}.${cents}`;
  }

  const integer = new Intl.NumberFormat('en-US');
  const pct = (x) => `${(x * 100).toFixed(1)}%`;
  const short = (hex, head = 8, tail = 6) =>
    typeof hex === 'string' && hex.length > head + tail + 1 ? `${hex.slice(0, head)}…${hex.slice(-tail)}` : String(hex);

  function clock(ms) {
    return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  }

  function ago(ms) {
    const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
    if (s < 60) return `${s}s ago`;
    const m = Math.floor(s / 60);
    if (m < 60) return `${m}m ago`;
    const h = Math.floor(m / 60);
    if (h < 48) return `${h}h ago`;
    return `${Math.floor(h / 24)}d ago`;
  }

  // ---------- DOM helpers (text only: messages and addresses are never parsed as HTML) ----------

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    if (props) {
      for (const [key, value] of Object.entries(props)) {
        if (value === undefined || value === null || value === false) continue;
        if (key === 'class') node.className = value;
        else if (key === 'text') node.textContent = value;
        else if (key === 'dataset') Object.assign(node.dataset, value);
        else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
        else node.setAttribute(key, value === true ? '' : String(value));
      }
    }
    for (const child of children) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, String(value));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function setText(id, text, title) {
    const node = $(id);
    if (!node) return;
    if (node.textContent !== text) node.textContent = text;
    if (title !== undefined) node.title = title;
  }

  function timeCell(ms) {
    if (typeof ms !== 'number') return el('span', { text: '—' });
    const t = el('time', {
      datetime: new Date(ms).toISOString(),
      title: new Date(ms).toLocaleString(),
      dataset: { ts: String(ms) },
      text: clock(ms),
    });
    return el('span', { class: 'when' }, t, el('span', { class: 'ago', dataset: { ago: String(ms) }, text: ago(ms) }));
  }

  /** A link inside the explorer: `route` is the part after '#'. */
  function link(route, text, props) {
    return el('a', { ...(props || {}), href: `#${route}` }, text);
  }

  /**
   * Whether block `index` is final: at or below the node's finalised checkpoint (`finalHeight`, from
   * GET /status). Nothing when the node reports no finality.
   */
  function finalMark(index, finalHeight) {
    if (typeof finalHeight !== 'number') return null;
    const final = index <= finalHeight;
    return el('span', {
      class: `status finality ${final ? 'status-final' : 'status-not-final'}`,
      dataset: { final: final ? 'yes' : 'no' },
      title: final ? 'At or below the finalised checkpoint: it can no longer be undone' : 'Not final yet: above the finalised checkpoint',
      text: final ? 'final' : 'not final',
    });
  }

  window.BlockChatUI = { $, bcc, integer, pct, short, clock, ago, el, svg, setText, timeCell, link, finalMark };
})();
