/* govgraph explorer: the street's governance graph over the JSON API, drawn with
 * vis-network (served locally). Colours, shapes and names come from /api/v1/schema.
 * A file written by `govgraph explore` sets window.GOVGRAPH_PRELOAD (URL -> response)
 * and window.GOVGRAPH_START, and then works without a server.
 *
 * Five plain scripts, loaded in this order (index.html; `standalone_html` inlines them
 * in the same order), share one namespace, window.GovgraphExplorer:
 *   explorer-core.js   state, helpers, API access, login, deep links (this file)
 *   explorer-map.js    the map view
 *   explorer-panel.js  overlays and the side panel
 *   explorer-view.js   what a view draws: folds, filters, "as of", the tree, no overlaps
 *   explorer.js        drawing, views, controls, start
 * A file takes what an earlier file put there by name when it loads; what a later file
 * defines it calls through the namespace (G.focus(...)), looked up when called: nothing
 * runs before explorer.js starts the page. */
(function () {
  'use strict';
  const API = '/api/v1';
  const MAX_DRAWN = 300; // nodes drawn with physics; the rest fold into "+N more"
  const FETCH_LIMIT = 1000; // nodes asked of the neighbourhood endpoint
  const UNFOLD_STEP = 100;
  // more neighbours than this of one kind (label + relationship type) under one node
  // fold into one node ("下沉人员 ×84") that a click opens and closes
  const FOLD_AT = 8;
  // events drown the structure: drawn only when asked for (the legend's toggle)
  const EVENTS = ['Activity', 'Case'];
  const PRELOAD = window.GOVGRAPH_PRELOAD || null;
  const GLYPH = { star: '★', hexagon: '⬢', diamond: '◆', triangle: '▲', triangleDown: '▼',
    box: '▬', square: '■', dot: '●', ellipse: '⬬', circle: '○' };
  const T = window.GOVGRAPH_I18N; // explorer-i18n.js
  const S = { focus: null, depth: 1, labels: [], types: [], overlays: [], view: 'focus',
    community: null, lang: 'zh', asOf: null, mapLayers: null, mapOverlays: [],
    hide: [], events: false };
  const nodes = new vis.DataSet();
  const edges = new vis.DataSet();
  const known = new Map(); // every node the view's answers brought, id -> NodeRef
  const rels = new Map(); // every relationship seen, drawn once both ends are drawn
  const folded = new Map(); // drawn fold node id -> { key, members: ids } ("下沉人员 ×84", "+N more")
  const opened = new Set(); // keys of the folds opened by a click
  const expanded = new Set();
  const back = [];
  const fwd = [];
  // the schema's labels and relationship types by name: filled in once by start()
  // (explorer.js), the same objects for every file
  const labelDefs = {};
  const relDefs = {};

  const $ = (sel) => document.querySelector(sel);
  const t = (k) => T[S.lang][k] || k;
  const enc = encodeURIComponent;
  const el = (tag, props, ...kids) => {
    const e = Object.assign(document.createElement(tag), props || {});
    kids.forEach((k) => e.append(k));
    return e;
  };
  const labelName = (l) => (labelDefs[l] ? labelDefs[l][S.lang === 'zh' ? 'name_zh' : 'name_en'] : l);
  const relName = (r) => (relDefs[r] ? relDefs[r][S.lang === 'zh' ? 'name_zh' : 'name_en'] : r);

  // A party organisation's short name (简称) when the answer has none: graph/formats.py's
  // short_org_name, for 中共…委员会 names only (中共新桥街道上星社区委员会 → 上星社区党委).
  const SHORT_ENDS = [['总支部委员会', '党总支'], ['支部委员会', '党支部'], ['工作委员会', '党工委'],
    ['委员会', '党委']];
  function shortName(name) {
    const s0 = String(name || '').trim();
    if (!/^(中国共产党|中共)/.test(s0)) return s0;
    const s = s0.replace(/^(中国共产党|中共)/, '').replace(/^深圳市/, '')
      .replace(/^[\u4e00-\u9fff\w]{2,4}街道(?=[\u4e00-\u9fff\w]+社区)/, '');
    for (const [long, short] of SHORT_ENDS) {
      if (s.endsWith(long) && s.length > long.length) return s.slice(0, -long.length) + short;
    }
    return s || s0;
  }
  const refName = (ref) => ref.short_name || shortName(ref.name);
  // graph/model.py's is_current: since <= day < until, a missing bound open
  const isCurrent = (props, day) => !day || (!(props && props.since && props.since > day)
    && !(props && props.until && props.until <= day));

  // The token lives in this tab's sessionStorage only; every request carries it.
  const TOKEN_KEY = 'govgraph-token';
  const authHeaders = (h) => {
    const tok = sessionStorage.getItem(TOKEN_KEY);
    return tok ? Object.assign(h, { Authorization: `Bearer ${tok}` }) : h;
  };
  function showLogin(message) {
    $('#login').hidden = false;
    $('#logout').hidden = true;
    $('#login-error').textContent = message || '';
    $('#token').focus();
  }
  function loggedIn() {
    return new Promise((resolve) => {
      if (sessionStorage.getItem(TOKEN_KEY)) { resolve(); return; }
      showLogin('');
      $('#login').onsubmit = (e) => {
        e.preventDefault();
        sessionStorage.setItem(TOKEN_KEY, $('#token').value.trim());
        $('#token').value = '';
        $('#login').hidden = true;
        resolve();
      };
    });
  }

  async function getJSON(url) {
    if (PRELOAD) {
      if (url in PRELOAD) return PRELOAD[url];
      throw new Error(t('notInFile'));
    }
    const r = await fetch(url, { headers: authHeaders({ Accept: 'application/json' }) });
    if (r.status === 401) {
      sessionStorage.removeItem(TOKEN_KEY);
      showLogin(t('badToken'));
      throw new Error(t('badToken'));
    }
    if (!r.ok) {
      let detail = r.statusText;
      try { detail = (await r.json()).detail; } catch (e) { /* not JSON */ }
      throw new Error(`${r.status} ${detail}`);
    }
    return r.json();
  }
  function nbUrl(id, depth, types, labels) {
    const p = new URLSearchParams({ depth: String(depth), limit: String(FETCH_LIMIT) });
    (types || []).forEach((x) => p.append('type', x));
    (labels || []).forEach((x) => p.append('label', x));
    return `${API}/nodes/${enc(id)}/neighbors?${p}`;
  }
  function status(msg, isError) {
    $('#status').textContent = msg;
    $('#status').className = isError ? 'error' : '';
  }

  // ------------------------------------------------------------ deep links
  const split = (v) => (v ? v.split(',').filter(Boolean) : []);
  function readHash() {
    const p = new URLSearchParams(location.hash.slice(1));
    const start = window.GOVGRAPH_START || {};
    S.focus = p.get('focus') || start.focus || null;
    S.depth = (p.get('depth') || String(start.depth || 1)) === '2' ? 2 : 1;
    S.labels = split(p.get('labels'));
    S.types = split(p.get('types'));
    S.overlays = split(p.get('overlays'));
    S.view = ['community', 'map'].includes(p.get('view')) ? p.get('view') : 'focus';
    S.community = p.get('community');
    S.lang = p.get('lang') === 'en' ? 'en' : 'zh';
    S.asOf = /^\d{4}-\d{2}-\d{2}$/.test(p.get('as_of') || '') ? p.get('as_of') : null;
    S.mapLayers = p.has('layers') ? split(p.get('layers')) : null; // null: every layer
    S.mapOverlays = split(p.get('map_overlays'));
    S.hide = split(p.get('hide'));
    S.events = p.get('events') === '1';
  }
  const asOf = () => (S.asOf ? `?as_of=${S.asOf}` : ''); // chain, gaps and summary take a date
  function writeHash() {
    const p = new URLSearchParams();
    if (S.focus) p.set('focus', S.focus);
    p.set('depth', String(S.depth));
    if (S.labels.length) p.set('labels', S.labels.join(','));
    if (S.types.length) p.set('types', S.types.join(','));
    if (S.overlays.length) p.set('overlays', S.overlays.join(','));
    if (S.view === 'community') { p.set('view', 'community'); p.set('community', S.community); }
    if (S.view === 'map') {
      p.set('view', 'map');
      if (S.mapLayers) p.set('layers', S.mapLayers.join(','));
      if (S.mapOverlays.length) p.set('map_overlays', S.mapOverlays.join(','));
    }
    if (S.lang !== 'zh') p.set('lang', S.lang);
    if (S.asOf) p.set('as_of', S.asOf);
    if (S.hide.length) p.set('hide', S.hide.join(','));
    if (S.events) p.set('events', '1');
    history.replaceState(null, '', `#${p}`);
  }

  async function guard(fn) {
    try { await fn(); } catch (e) {
      document.body.dataset.state = 'error';
      status(e.message, true);
      console.warn('govgraph explorer:', e);
    }
  }

  window.GovgraphExplorer = { API, MAX_DRAWN, FETCH_LIMIT, UNFOLD_STEP, FOLD_AT, EVENTS, PRELOAD,
    GLYPH, T, S, nodes, edges, known, rels, folded, opened, expanded, back, fwd, labelDefs,
    relDefs, $, t, enc, el, labelName, relName, shortName, refName, isCurrent, TOKEN_KEY,
    authHeaders, loggedIn,
    getJSON, nbUrl, status, guard, readHash, asOf, writeHash };
}());
