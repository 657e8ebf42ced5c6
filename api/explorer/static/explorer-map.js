/* govgraph explorer: the map view (after explorer-core.js; see there for the files).
 * Grid polygons from /api/v1/grids/map drawn as inline SVG: an equirectangular
 * projection fitted to the bbox (x scaled by cos(latitude)); no tiles, nothing fetched
 * but the API's answer. A layer per kind, overlays drawn above them. */
(function () {
  'use strict';
  const G = window.GovgraphExplorer;
  const { API, PRELOAD, T, S, labelDefs, $, t, el, getJSON, status, guard, asOf, writeHash } = G;
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
    focusBtn.onclick = () => guard(() => G.focus(f.id));
    const chip = el('span', { className: 'chip', textContent: kindName(p.kind) });
    chip.style.background = st;
    $('#details').replaceChildren(el('h2', { textContent: p.name }), chip, ` ${f.id} `,
      PRELOAD ? '' : focusBtn, el('table', {}, el('tbody', {}, ...rows)));
    $('#details').dataset.nodeId = f.id;
  }

  Object.assign(G, { mapPanel, renderMap, currentMap: () => mapData });
}());
