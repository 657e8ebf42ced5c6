/* govgraph explorer: the street's governance graph over the JSON API, drawn with
 * vis-network (served locally). Colours, shapes and names come from /api/v1/schema.
 * A file written by `govgraph explore` sets window.GOVGRAPH_PRELOAD (URL -> response)
 * and window.GOVGRAPH_START, and then works without a server. */
(function () {
  'use strict';
  const API = '/api/v1';
  const MAX_DRAWN = 300; // nodes drawn with physics; the rest fold into "+N more"
  const FETCH_LIMIT = 1000; // nodes asked of the neighbourhood endpoint
  const UNFOLD_STEP = 100;
  const PRELOAD = window.GOVGRAPH_PRELOAD || null;
  const GLYPH = { star: '★', hexagon: '⬢', diamond: '◆', triangle: '▲', triangleDown: '▼',
    box: '▬', square: '■', dot: '●', ellipse: '⬬', circle: '○' };
  const T = window.GOVGRAPH_I18N; // explorer-i18n.js
  const S = { focus: null, depth: 1, labels: [], types: [], overlays: [], view: 'focus',
    community: null, lang: 'zh', asOf: null, mapLayers: null, mapOverlays: [] };
  const nodes = new vis.DataSet();
  const edges = new vis.DataSet();
  const rels = new Map(); // every relationship seen, drawn once both ends are drawn
  const folded = new Map(); // "+N more" node id -> hidden NodeRefs
  const expanded = new Set();
  const back = [];
  const fwd = [];
  let labelDefs = {};
  let relDefs = {};
  let network = null;

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
    history.replaceState(null, '', `#${p}`);
  }

  // ------------------------------------------------------------ drawing
  function visNode(ref, extra) {
    const st = (labelDefs[ref.label] || {}).style || {};
    const color = st.color || '#6b7280';
    const shape = st.shape || 'dot';
    const inside = ['box', 'ellipse', 'circle', 'database', 'text'].includes(shape);
    // a party organisation drawn by the name people use (上星社区第一党支部); its
    // record name is in the details
    return Object.assign({ id: ref.id, label: ref.short_name || ref.name, ref, shape,
      size: 14, borderWidth: 1,
      color: { background: color, border: color, highlight: { background: color, border: '#111827' } },
      font: { color: inside ? '#ffffff' : '#1f2937', face: 'Noto Sans CJK SC, sans-serif' },
      title: `${labelName(ref.label)} · ${ref.id}` }, extra || {});
  }
  const drawnCount = () => nodes.getIds().filter((id) => !folded.has(id)).length;
  function syncEdges() {
    const add = [];
    rels.forEach((r) => {
      if (!edges.get(r.id) && nodes.get(r.start) && nodes.get(r.end)) {
        add.push({ id: r.id, from: r.start, to: r.end, arrows: 'to', label: relName(r.type), rel: r,
          font: { size: 10, color: '#6b7280' }, color: { color: '#9ca3af' } });
      }
    });
    edges.add(add);
    if (S.overlays.includes('pairs')) styleOverlayPairs();
  }
  function addRefs(refs) { nodes.add(refs.filter((n) => !nodes.get(n.id)).map((n) => visNode(n))); }
  function fold(parent, hidden) {
    const id = `more:${parent}`;
    const items = (folded.get(id) || []).concat(hidden);
    folded.set(id, items);
    const n = { id, label: `+${items.length} ${t('more')}`, shape: 'box', ref: null,
      color: { background: '#e5e7eb', border: '#9ca3af' }, font: { color: '#374151' } };
    if (nodes.get(id)) nodes.update(n); else nodes.add(n);
    if (!edges.get(id)) edges.add({ id, from: parent, to: id, dashes: true, color: { color: '#d1d5db' } });
  }
  function addNeighbourhood(nb, anchor) {
    nb.relationships.forEach((r) => rels.set(r.id, r));
    const fresh = nb.nodes.filter((n) => !nodes.get(n.id));
    const room = Math.max(0, MAX_DRAWN - drawnCount());
    addRefs(fresh.slice(0, room));
    const byParent = new Map();
    fresh.slice(room).forEach((n) => { // fold under a drawn node it touches
      let parent = anchor;
      for (const r of nb.relationships) {
        const other = r.start === n.id ? r.end : r.end === n.id ? r.start : null;
        if (other && nodes.get(other) && !folded.has(other)) { parent = other; break; }
      }
      byParent.set(parent, (byParent.get(parent) || []).concat([n]));
    });
    byParent.forEach((hidden, parent) => fold(parent, hidden));
    syncEdges();
  }
  function unfold(id) {
    const items = folded.get(id);
    const parent = id.slice('more:'.length);
    folded.delete(id);
    nodes.remove(id);
    edges.remove(id);
    addRefs(items.slice(0, UNFOLD_STEP));
    if (items.length > UNFOLD_STEP) fold(parent, items.slice(UNFOLD_STEP));
    syncEdges();
  }
  function reset(hierarchical) {
    nodes.clear(); edges.clear(); rels.clear(); folded.clear(); expanded.clear();
    if (network) network.destroy();
    const layout = hierarchical
      ? { hierarchical: { enabled: true, direction: 'UD', levelSeparation: 130, nodeSpacing: 120 } }
      : { improvedLayout: true };
    network = new vis.Network($('#graph'), { nodes, edges }, {
      layout, physics: hierarchical ? false : { solver: 'barnesHut', stabilization: { iterations: 250 } },
      interaction: { hover: true, tooltipDelay: 150 }, edges: { smooth: false },
    });
    document.body.dataset.layout = 'done';
    network.on('beforeDrawing', (ctx) => { // a white background for the PNG export
      ctx.save(); ctx.setTransform(1, 0, 0, 1, 0, 0); ctx.fillStyle = '#ffffff';
      ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height); ctx.restore();
    });
    network.on('click', (p) => { if (p.nodes.length) guard(() => onClick(p.nodes[0])); });
    network.on('doubleClick', (p) => {
      if (p.nodes.length && !folded.has(p.nodes[0])) guard(() => focus(p.nodes[0]));
    });
  }
  // The layout is computed before it is shown (a bounded number of physics iterations,
  // at most 300 nodes), then physics stops: big views never keep the CPU busy.
  function settle(iterations) {
    document.body.dataset.layout = 'running';
    network.setOptions({ physics: { enabled: true, solver: 'barnesHut' } });
    network.once('stabilizationIterationsDone', () => {
      network.setOptions({ physics: false });
      network.fit();
      document.body.dataset.layout = 'done';
    });
    network.stabilize(iterations);
  }
  async function onClick(id) {
    if (folded.has(id)) { unfold(id); settle(100); return; }
    await showNode(id);
    if (S.view !== 'focus' || expanded.has(id)) return;
    expanded.add(id);
    addNeighbourhood(await getJSON(nbUrl(id, 1, S.types, S.labels)), id);
    settle(100);
    legend();
    status(t('shown').replace('{n}', drawnCount()));
  }

  // ------------------------------------------------------------ views
  async function render() {
    writeHash();
    document.body.dataset.state = 'loading';
    $('#depth').value = String(S.depth);
    document.querySelectorAll('[data-overlay]').forEach((c) => { c.checked = S.overlays.includes(c.dataset.overlay); });
    $('#back').disabled = !back.length;
    $('#forward').disabled = !fwd.length;
    $('#overlay-info').replaceChildren();
    $('#graph').hidden = S.view === 'map';
    $('#map').hidden = S.view !== 'map';
    $('#map-panel').hidden = S.view !== 'map';
    if (S.view === 'map') await renderMap();
    else if (S.view === 'community') await renderCommunity();
    else if (S.focus) { await renderFocus(); settle(250); }
    else { reset(false); status(t('hint')); }
    legend();
    document.body.dataset.focus = S.focus || '';
    document.body.dataset.view = S.view;
    document.body.dataset.state = 'ready';
  }
  async function renderFocus() {
    reset(false);
    status(t('loading'));
    const nb = await getJSON(nbUrl(S.focus, S.depth, S.types, S.labels));
    addNeighbourhood(nb, S.focus);
    expanded.add(S.focus);
    nodes.update({ id: S.focus, size: 24, borderWidth: 3, focused: true,
      font: Object.assign({}, nodes.get(S.focus).font, { size: 18, bold: true }) });
    network.selectNodes([S.focus]);
    status(t('shown').replace('{n}', drawnCount()) + (nb.truncated ? t('truncated') : ''));
    await showNode(S.focus);
    await applyOverlays();
  }
  async function renderCommunity() {
    reset(true);
    const sum = await getJSON(`${API}/communities/${enc(S.community)}/summary${asOf()}`);
    nodes.add(visNode(sum.community, { level: 0 }));
    const cc = sum.committee;
    if (cc) {
      nodes.add(visNode(cc, { level: 1 }));
      const nb = await getJSON(nbUrl(cc.id, 2, ['COVERS', 'SUB_ORG_OF'], []));
      const byId = new Map(nb.nodes.map((n) => [n.id, n]));
      nb.relationships.forEach((r) => rels.set(r.id, r));
      const branches = nb.relationships.filter((r) => r.type === 'SUB_ORG_OF' && r.end === cc.id)
        .map((r) => r.start);
      branches.forEach((b) => nodes.add(visNode(byId.get(b), { level: 2 })));
      nb.relationships.filter((r) => r.type === 'COVERS' && branches.includes(r.start))
        .forEach((r) => { if (!nodes.get(r.end)) nodes.add(visNode(byId.get(r.end), { level: 3 })); });
      rels.set(`leads:${cc.id}`, { id: `leads:${cc.id}`, type: 'LEADS', start: cc.id, end: sum.community.id });
    }
    // resident groups no branch covers hang from the community itself
    const own = await getJSON(nbUrl(sum.community.id, 1, ['PART_OF'], ['ResidentGroup']));
    own.relationships.filter((r) => !nodes.get(r.start)).forEach((r) => rels.set(r.id, r));
    own.nodes.slice(1).forEach((g) => { if (!nodes.get(g.id)) nodes.add(visNode(g, { level: 3 })); });
    syncEdges();
    status(`${sum.community.name} · ${t('shown').replace('{n}', drawnCount())}`);
    await showNode(sum.community.id);
    await applyOverlays();
    network.fit();
  }
  async function focus(id) {
    if (S.focus && (S.focus !== id || S.view !== 'focus')) { back.push(S.focus); fwd.length = 0; }
    S.focus = id;
    S.view = 'focus';
    await render();
  }

  // ------------------------------------------------------------ the map view
  // Grid polygons from /api/v1/grids/map drawn as inline SVG: an equirectangular
  // projection fitted to the bbox (x scaled by cos(latitude)); no tiles, nothing fetched
  // but the API's answer. A layer per kind, overlays drawn above them.
  const SVG_NS = 'http://www.w3.org/2000/svg';
  const SPECIAL = ['security', 'fire', 'police', 'traffic'];
  const MAP_OVERLAYS = ['overlaps', 'missing', 'backlog'];
  const MISSING = ['grid_worker', 'police_officer', 'building_heads'];
  let mapData = null;
  let mapSelected = null;
  const KIND_ORDER = ['base', 'sub', ...SPECIAL]; // drawn bottom to top, above communities
  const kindEnum = () => ((labelDefs.Grid || { properties: [] }).properties
    .find((p) => p.name === 'kind') || {}).enum || {}; // the schema's Grid.kind: Chinese names
  const gridKinds = () => ['community', ...KIND_ORDER,
    ...Object.keys(kindEnum()).filter((k) => !KIND_ORDER.includes(k))];
  function kindName(k) {
    if (k === 'community') return t('community');
    if (S.lang === 'zh' && kindEnum()[k]) return kindEnum()[k];
    return T[S.lang][`kind_${k}`] || kindEnum()[k] || k;
  }
  const KIND_COLOR = { community: '#374151', base: '#0f766e', sub: '#65a30d', security: '#7c3aed',
    fire: '#dc2626', police: '#1d4ed8', traffic: '#d97706' };
  const layerOn = (k) => !S.mapLayers || S.mapLayers.includes(k);
  function mapPanel() {
    const box = (attr, name, checked, text, help) => {
      const c = el('input', { type: 'checkbox', checked });
      c.dataset[attr] = name;
      const lab = el('label', { title: help || '' }, c, ' ', text);
      return { c, lab };
    };
    $('#map-layers').replaceChildren(...gridKinds().map((k) => {
      const sw = el('span', { className: 'swatch', textContent: k === 'community' ? '▢' : '■' });
      sw.style.color = KIND_COLOR[k] || '#6b7280';
      const { c, lab } = box('mapLayer', k, layerOn(k), '', '');
      lab.append(sw, ` ${kindName(k)}`);
      c.onchange = () => {
        const on = [...document.querySelectorAll('[data-map-layer]:checked')].map((x) => x.dataset.mapLayer);
        S.mapLayers = on.length === gridKinds().length ? null : on;
        writeHash();
        drawMap();
      };
      return lab;
    }));
    $('#map-overlays').replaceChildren(...MAP_OVERLAYS.map((o) => {
      const key = `ov${o[0].toUpperCase()}${o.slice(1)}`;
      const { c, lab } = box('mapOverlay', o, S.mapOverlays.includes(o), t(key), t(`${key}Help`));
      c.onchange = () => {
        S.mapOverlays = [...document.querySelectorAll('[data-map-overlay]:checked')].map((x) => x.dataset.mapOverlay);
        writeHash();
        drawMap();
      };
      return lab;
    }));
  }
  function projector(bbox) {
    const [w, s, e, n] = bbox;
    const k = Math.cos(((s + n) / 2) * Math.PI / 180);
    const spanX = Math.max((e - w) * k, 1e-9);
    const spanY = Math.max(n - s, 1e-9);
    const scale = 1000 / Math.max(spanX, spanY);
    const pad = 12;
    return { width: spanX * scale + 2 * pad, height: spanY * scale + 2 * pad,
      xy: (p) => [pad + (p[0] - w) * k * scale, pad + (n - p[1]) * scale] };
  }
  function pathData(geometry, xy) {
    const polys = geometry.type === 'MultiPolygon' ? geometry.coordinates
      : geometry.type === 'Polygon' ? [geometry.coordinates] : [];
    return polys.map((rings) => rings.map((ring) => `M${ring.map((p) => xy(p)
      .map((v) => v.toFixed(2)).join(',')).join('L')}Z`).join('')).join('');
  }
  function svgPath(f, d, className, extra) {
    const p = document.createElementNS(SVG_NS, 'path');
    p.setAttribute('d', d);
    p.setAttribute('class', className);
    p.dataset.id = f.id;
    p.dataset.kind = f.properties.kind;
    Object.entries(extra || {}).forEach(([k, v]) => p.setAttribute(k, v));
    const title = document.createElementNS(SVG_NS, 'title');
    title.textContent = `${f.properties.name} · ${kindName(f.properties.kind)}`;
    p.append(title);
    return p;
  }
  function svgGroup(attr, name, items) {
    const g = document.createElementNS(SVG_NS, 'g');
    g.setAttribute(attr, name);
    items.forEach((x) => g.append(x));
    return g;
  }
  async function renderMap() {
    const m = await getJSON(`${API}/grids/map${asOf()}`);
    mapData = { collection: m, byId: new Map(m.features.map((f) => [f.id, f])) };
    mapPanel();
    drawMap();
  }
  function drawMap() {
    if (!mapData) return;
    const m = mapData.collection;
    const holder = $('#map');
    if (!m.bbox || !m.features.length) {
      holder.replaceChildren();
      status(t('mapEmpty') + (m.without_geometry ? t('noGeometry').replace('{n}', m.without_geometry) : ''));
      return;
    }
    const proj = projector(m.bbox);
    const d = new Map(m.features.map((f) => [f.id, pathData(f.geometry, proj.xy)]));
    const svg = document.createElementNS(SVG_NS, 'svg');
    svg.setAttribute('viewBox', `0 0 ${proj.width.toFixed(2)} ${proj.height.toFixed(2)}`);
    svg.setAttribute('preserveAspectRatio', 'xMidYMid meet');
    svg.setAttribute('role', 'img');
    let drawn = 0;
    gridKinds().forEach((k) => {
      const fs = layerOn(k) ? m.features.filter((f) => f.properties.kind === k) : [];
      drawn += fs.length;
      const cls = `grid kind-${k}${SPECIAL.includes(k) ? ' special' : ''}`;
      svg.append(svgGroup('data-layer', k, fs.map((f) => svgPath(f, d.get(f.id),
        f.id === mapSelected ? `${cls} selected` : cls))));
    });
    const grids = m.features.filter((f) => f.properties.kind !== 'community');
    const on = (o) => S.mapOverlays.includes(o);
    const most = Math.max(1, ...grids.map((f) => f.properties.backlog));
    svg.append(svgGroup('data-overlay', 'backlog', !on('backlog') ? [] : grids
      .filter((f) => f.properties.backlog > 0)
      .map((f) => svgPath(f, d.get(f.id), 'overlay ov-backlog', {
        'fill-opacity': (0.2 + 0.6 * (f.properties.backlog / most)).toFixed(2),
        'data-backlog': String(f.properties.backlog) }))));
    svg.append(svgGroup('data-overlay', 'missing', !on('missing') ? [] : grids
      .filter((f) => f.properties.kind === 'base' && f.properties.missing.length)
      .map((f) => svgPath(f, d.get(f.id), 'overlay ov-missing', {
        'fill-opacity': String([0, 0.3, 0.5, 0.7][Math.min(3, f.properties.missing.length)]),
        'data-missing': f.properties.missing.join(' ') }))));
    svg.append(svgGroup('data-overlay', 'overlaps', !on('overlaps') ? [] : grids
      .filter((f) => SPECIAL.includes(f.properties.kind) && f.properties.overlaps > 0)
      .map((f) => svgPath(f, d.get(f.id),
        `overlay ov-overlaps${f.properties.crossing ? ' ov-crossing' : ''}`))));
    // community names at the centre of their outline's box, above everything, not clickable
    svg.append(svgGroup('data-labels', 'community', !layerOn('community') ? [] : m.features
      .filter((f) => f.properties.kind === 'community').map((f) => {
        const pts = (f.geometry.type === 'MultiPolygon' ? f.geometry.coordinates.flat()
          : f.geometry.coordinates).flat().map(proj.xy);
        const xs = pts.map((p) => p[0]);
        const ys = pts.map((p) => p[1]);
        const tx = document.createElementNS(SVG_NS, 'text');
        tx.setAttribute('x', ((Math.min(...xs) + Math.max(...xs)) / 2).toFixed(1));
        tx.setAttribute('y', ((Math.min(...ys) + Math.max(...ys)) / 2).toFixed(1));
        tx.setAttribute('class', 'map-label');
        tx.dataset.labelOf = f.id;
        tx.textContent = f.properties.name;
        return tx;
      })));
    svg.addEventListener('mouseover', (e) => { if (e.target.dataset && e.target.dataset.id) showGrid(e.target.dataset.id); });
    svg.addEventListener('click', (e) => {
      if (!e.target.dataset || !e.target.dataset.id) return;
      mapSelected = e.target.dataset.id;
      svg.querySelectorAll('path.grid').forEach((p) => p.classList.toggle('selected', p.dataset.id === mapSelected));
      showGrid(mapSelected);
    });
    holder.replaceChildren(svg);
    status(t('mapShown').replace('{n}', drawn)
      + (m.without_geometry ? t('noGeometry').replace('{n}', m.without_geometry) : ''));
  }
  function showGrid(id) {
    const f = mapData && mapData.byId.get(id);
    if (!f) return;
    const p = f.properties;
    const home = p.community && mapData.byId.get(p.community);
    const row = (k, v) => el('tr', {}, el('td', { textContent: t(k) }), el('td', { textContent: String(v) }));
    const rows = [row('fKind', kindName(p.kind)),
      row('fCommunity', home ? home.properties.name : (p.community || t('none'))),
      row('fArea', p.area_km2)];
    if (p.kind !== 'community') {
      rows.push(row('fOverlaps', p.overlaps));
      if (SPECIAL.includes(p.kind)) rows.push(row('fCrossing', p.crossing ? t('yes') : t('no')));
      if (p.kind === 'base') {
        rows.push(row('fMissing', p.missing.length
          ? p.missing.map((x) => (MISSING.includes(x) ? t(x) : x)).join('、') : t('none')));
      }
    }
    rows.push(row('fBacklog', p.backlog));
    const st = KIND_COLOR[p.kind] || '#6b7280';
    const focusBtn = el('button', { type: 'button', textContent: t('focusHere') });
    focusBtn.onclick = () => guard(() => focus(f.id));
    const chip = el('span', { className: 'chip', textContent: kindName(p.kind) });
    chip.style.background = st;
    $('#details').replaceChildren(el('h2', { textContent: p.name }), chip, ` ${f.id} `,
      PRELOAD ? '' : focusBtn, el('table', {}, el('tbody', {}, ...rows)));
    $('#details').dataset.nodeId = f.id;
  }

  // ------------------------------------------------------------ overlays
  async function applyOverlays() {
    if (S.overlays.includes('chain') && S.focus && S.view === 'focus') await overlayChain();
    if (S.overlays.includes('gaps')) await overlayGaps();
    if (S.overlays.includes('pairs')) styleOverlayPairs();
  }
  async function overlayChain() {
    const c = await getJSON(`${API}/chains/leadership/${enc(S.focus)}${asOf()}`);
    const breaks = new Map(c.breaks.map((b) => [b.node_id, b]));
    const ol = el('ol', { id: 'chain-steps' });
    c.steps.forEach((s, i) => {
      const brk = breaks.get(s.node.id);
      const base = visNode(s.node);
      const upd = { id: s.node.id, chain: true, chainBreak: !!brk, borderWidth: 5,
        color: Object.assign(base.color, { border: brk ? '#b91c1c' : '#facc15' }),
        shapeProperties: { borderDashes: brk ? [6, 4] : false },
        label: (brk ? '⚠ ' : '') + s.node.name };
      if (nodes.get(s.node.id)) nodes.update(upd); else nodes.add(Object.assign(base, upd));
      if (i > 0) {
        edges.update({ id: `chain:${i}`, from: c.steps[i - 1].node.id, to: s.node.id, width: 4,
          color: { color: '#facc15' }, arrows: 'to' });
      }
      const li = el('li', { className: brk ? 'chain-step break' : 'chain-step',
        textContent: `${s.node.name}（${labelName(s.node.label)}）` +
          (s.leader ? ` · ${s.leader.name}` : '') + (brk ? ` ⚠ ${S.lang === 'zh' ? brk.message_zh : brk.message}` : '') });
      li.dataset.nodeId = s.node.id;
      ol.append(li);
    });
    $('#overlay-info').append(el('h3', { textContent:
      `${t('chainTitle')}：${c.complete ? t('complete') : t('broken')}` }), ol);
  }
  async function overlayGaps() {
    const g = await getJSON(`${API}/gaps/middle-weakening${asOf()}`);
    g.weak_branches.forEach((b) => {
      if (!nodes.get(b.branch.id) || !b.reasons.length) return;
      const why = b.reasons.map((r) => (S.lang === 'zh' ? r.message_zh : r.message)).join('；');
      nodes.update({ id: b.branch.id, gap: 'weak', title: `${t('weak')}：${why}`,
        label: `⚠ ${b.branch.name}`, color: { background: '#dc2626', border: '#111827' },
        borderWidth: 4, shapeProperties: { borderDashes: [5, 3] } });
    });
    g.hollow_groups.forEach((h) => {
      if (!nodes.get(h.group.id)) return;
      nodes.update({ id: h.group.id, gap: 'hollow', title: t('hollow'),
        color: { background: '#d1d5db', border: '#9ca3af' }, font: { color: '#6b7280' } });
    });
  }
  function styleOverlayPairs() {
    edges.update(edges.get({ filter: (e) => e.rel && e.rel.type === 'MENTORS' })
      .map((e) => ({ id: e.id, dashes: [8, 6], width: 3, color: { color: '#7c3aed' } })));
  }

  // ------------------------------------------------------------ side panel
  async function showNode(id) {
    const n = await getJSON(`${API}/nodes/${enc(id)}`);
    const st = (labelDefs[n.label] || {}).style || {};
    const rows = Object.entries(n.properties).map(([k, v]) => el('tr', {},
      el('td', { textContent: S.lang === 'zh' ? (n.property_names_zh[k] || k) : k }),
      el('td', {}, String(v), n.masked.includes(k) ? el('span', { className: 'masked', textContent: ` (${t('masked')})` }) : '')));
    const focusBtn = el('button', { type: 'button', textContent: t('focusHere') });
    focusBtn.onclick = () => guard(() => focus(n.id));
    $('#details').replaceChildren(
      el('h2', { textContent: n.name }),
      el('span', { className: 'chip', textContent: labelName(n.label) }), ` ${n.id} `, focusBtn,
      el('table', {}, el('tbody', {}, ...rows)));
    $('#details .chip').style.background = st.color || '#6b7280';
    $('#details').dataset.nodeId = n.id;
  }
  function legend() {
    $('#legend').previousElementSibling.hidden = S.view === 'map'; // there the layer list is it
    if (S.view === 'map') { $('#legend').replaceChildren(); return; }
    const present = new Set(nodes.get().filter((n) => n.ref).map((n) => n.ref.label));
    $('#legend').replaceChildren(...[...present].sort().map((l) => {
      const st = (labelDefs[l] || {}).style || {};
      const sw = el('span', { className: 'swatch', textContent: GLYPH[st.shape] || '●' });
      sw.style.color = st.color || '#6b7280';
      return el('li', {}, sw, ` ${labelName(l)}`);
    }));
  }
  function filters() {
    const build = (sel, defs, key) => {
      $(`${sel} .checks`).replaceChildren(...Object.keys(defs).map((name) => {
        const box = el('input', { type: 'checkbox', value: name, checked: !S[key].length || S[key].includes(name) });
        box.onchange = () => {
          const on = [...document.querySelectorAll(`${sel} input:checked`)].map((b) => b.value);
          S[key] = on.length === Object.keys(defs).length ? [] : on;
          guard(render);
        };
        return el('label', {}, box, ` ${S.lang === 'zh' ? defs[name].name_zh : defs[name].name_en}`);
      }));
    };
    build('#label-filter', labelDefs, 'labels');
    build('#type-filter', relDefs, 'types');
    mapPanel();
  }
  function translate() {
    document.documentElement.lang = S.lang === 'zh' ? 'zh-CN' : 'en';
    document.querySelectorAll('[data-i18n]').forEach((e) => { e.textContent = t(e.dataset.i18n); });
    document.querySelectorAll('[data-i18n-ph]').forEach((e) => { e.placeholder = t(e.dataset.i18nPh); });
    document.querySelectorAll('[data-i18n-title]').forEach((e) => { e.title = t(e.dataset.i18nTitle); });
    $('#lang').textContent = t('lang');
    filters();
  }

  // ------------------------------------------------------------ controls
  async function guard(fn) {
    try { await fn(); } catch (e) {
      document.body.dataset.state = 'error';
      status(e.message, true);
      console.warn('govgraph explorer:', e);
    }
  }
  async function doSearch(q) {
    const hits = await getJSON(`${API}/search?${new URLSearchParams({ q })}`);
    $('#results').replaceChildren(...hits.map((h) => {
      const b = el('button', { type: 'button',
        textContent: `${h.node.name} · ${labelName(h.node.label)} · ${h.node.id}` });
      b.dataset.id = h.node.id;
      b.onclick = () => guard(() => focus(h.node.id));
      return el('li', {}, b);
    }));
    if (!hits.length) { status(`${t('noHits')}：${q}`); return; }
    await focus(hits[0].node.id);
  }
  function communityOf() {
    const drawn = nodes.get().filter((n) => n.ref);
    const f = nodes.get(S.focus);
    if (f && f.ref && f.ref.labels.includes('Community')) return S.focus;
    const c = drawn.find((n) => n.ref.labels.includes('Community'));
    return c ? c.id : null;
  }
  function wire() {
    $('#search-form').onsubmit = (e) => {
      e.preventDefault();
      const q = $('#search').value.trim();
      if (q) guard(() => doSearch(q));
    };
    $('#back').onclick = () => { if (back.length) { fwd.push(S.focus); S.focus = back.pop(); S.view = 'focus'; guard(render); } };
    $('#forward').onclick = () => { if (fwd.length) { back.push(S.focus); S.focus = fwd.pop(); S.view = 'focus'; guard(render); } };
    $('#depth').onchange = (e) => { S.depth = Number(e.target.value); guard(render); };
    document.querySelectorAll('[data-overlay]').forEach((c) => {
      c.onchange = () => {
        S.overlays = [...document.querySelectorAll('[data-overlay]:checked')].map((x) => x.dataset.overlay);
        guard(render);
      };
    });
    $('#community-view').onclick = () => {
      const cid = communityOf();
      if (!cid) { status(t('noCommunity'), true); return; }
      S.view = 'community'; S.community = cid;
      guard(render);
    };
    $('#map-view').onclick = () => { S.view = 'map'; guard(render); };
    $('#lang').onclick = () => { S.lang = S.lang === 'zh' ? 'en' : 'zh'; translate(); guard(render); };
    $('#export-png').onclick = () => {
      const a = el('a', { download: `govgraph-${S.focus || 'view'}.png`,
        href: network.canvas.frame.canvas.toDataURL('image/png') });
      a.click();
    };
    if (PRELOAD) $('#export-html').remove();
    else {
      // fetched with the token, then saved: a plain link could not carry it
      $('#export-html').onclick = async (e) => {
        e.preventDefault();
        if (!S.focus) return;
        const r = await fetch(`/explorer/export.html?${new URLSearchParams({ focus: S.focus, depth: S.depth })}`,
          { headers: authHeaders({}) });
        if (!r.ok) { status(`${r.status}`, true); return; }
        const a = el('a', { download: `govgraph-${S.focus}.html`,
          href: URL.createObjectURL(await r.blob()) });
        a.click();
      };
    }
    if (!PRELOAD) {
      $('#logout').hidden = false;
      $('#logout').onclick = () => { sessionStorage.removeItem(TOKEN_KEY); location.reload(); };
    }
  }

  async function start() {
    readHash();
    if (!PRELOAD) await loggedIn();
    const schema = await getJSON(`${API}/schema`);
    labelDefs = Object.fromEntries(schema.labels.map((l) => [l.name, l]));
    relDefs = Object.fromEntries(schema.relationships.map((r) => [r.name, r]));
    wire();
    translate();
    await render();
  }
  window.addEventListener('hashchange', () => { readHash(); translate(); guard(render); });
  window.explorer = { state: S, nodes, edges, focus, search: doSearch, map: () => mapData,
    network: () => network,
    // Page coordinates of a drawn node (browser tests click on the canvas with them).
    pagePosition(id) {
      const p = network.canvasToDOM(network.getPositions([id])[id]);
      const box = $('#graph').getBoundingClientRect();
      return { x: box.left + p.x, y: box.top + p.y };
    } };
  guard(start);
}());
