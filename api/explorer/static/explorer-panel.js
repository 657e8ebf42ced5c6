/* govgraph explorer: the overlays drawn over a view and the side panel (after
 * explorer-core.js and explorer-map.js; see explorer-core.js for the files). */
(function () {
  'use strict';
  const G = window.GovgraphExplorer;
  const { API, GLYPH, EVENTS, S, nodes, known, labelDefs, relDefs, $, t, enc, el, labelName,
    refName, getJSON, guard, asOf, mapPanel } = G;

  // ------------------------------------------------------------ overlays
  // The overlays' answers for the view's day, fetched once; painted over every redraw.
  const ov = { chain: null, gaps: null };
  async function loadOverlays() {
    $('#overlay-info').replaceChildren();
    ov.chain = S.overlays.includes('chain') && S.focus && S.view === 'focus'
      ? await getJSON(`${API}/chains/leadership/${enc(S.focus)}${asOf()}`) : null;
    ov.gaps = S.overlays.includes('gaps') ? await getJSON(`${API}/gaps/middle-weakening${asOf()}`) : null;
    if (ov.chain) chainList(ov.chain);
  }
  function chainList(c) {
    const breaks = new Map(c.breaks.map((b) => [b.node_id, b]));
    const ol = el('ol', { id: 'chain-steps' });
    c.steps.forEach((s) => {
      const brk = breaks.get(s.node.id);
      const li = el('li', { className: brk ? 'chain-step break' : 'chain-step',
        textContent: `${s.node.name}（${labelName(s.node.label)}）` +
          (s.leader ? ` · ${s.leader.name}` : '') + (brk ? ` ⚠ ${S.lang === 'zh' ? brk.message_zh : brk.message}` : '') });
      li.dataset.nodeId = s.node.id;
      ol.append(li);
    });
    $('#overlay-info').append(el('h3', { textContent:
      `${t('chainTitle')}：${c.complete ? t('complete') : t('broken')}` }), ol);
  }
  // marks the view's items (vis node objects) and links in place; the chain brings its
  // steps even when the view did not draw them
  function paintOverlays(items, links) {
    const byId = new Map(items.map((n) => [n.id, n]));
    const mark = (id, upd) => { if (byId.has(id)) Object.assign(byId.get(id), upd); };
    if (ov.chain && S.view === 'focus') {
      const c = ov.chain;
      const breaks = new Map(c.breaks.map((b) => [b.node_id, b]));
      c.steps.forEach((s, i) => {
        const brk = breaks.get(s.node.id);
        if (!byId.has(s.node.id)) { const n = G.visNode(s.node); items.push(n); byId.set(n.id, n); }
        const base = byId.get(s.node.id);
        mark(s.node.id, { chain: true, chainBreak: !!brk, borderWidth: 5,
          color: Object.assign({}, base.color, { border: brk ? '#b91c1c' : '#facc15' }),
          shapeProperties: { borderDashes: brk ? [6, 4] : false },
          label: (brk ? '⚠' : '') + refName(s.node) });
        if (i > 0) {
          links.push({ id: `chain:${i}`, from: c.steps[i - 1].node.id, to: s.node.id, width: 4,
            color: { color: '#facc15' }, arrows: 'to' });
        }
      });
    }
    if (ov.gaps) {
      ov.gaps.weak_branches.forEach((b) => {
        if (!b.reasons.length) return;
        const why = b.reasons.map((r) => (S.lang === 'zh' ? r.message_zh : r.message)).join('；');
        mark(b.branch.id, { gap: 'weak', title: `${t('weak')}：${why}`,
          label: `⚠${refName(b.branch)}`, color: { background: '#dc2626', border: '#111827' },
          borderWidth: 4, shapeProperties: { borderDashes: [5, 3] } });
      });
      ov.gaps.hollow_groups.forEach((h) => {
        mark(h.group.id, { gap: 'hollow', title: t('hollow'),
          color: { background: '#d1d5db', border: '#9ca3af' },
          font: Object.assign({}, (byId.get(h.group.id) || {}).font, { color: '#6b7280' }) });
      });
    }
    if (S.overlays.includes('pairs')) {
      links.filter((e) => e.rel && e.rel.type === 'MENTORS')
        .forEach((e) => Object.assign(e, { dashes: [8, 6], width: 3, color: { color: '#7c3aed' } }));
    }
  }

  // ------------------------------------------------------------ side panel
  /* A GeoJSON value (a string or an object) as words and a small drawing, never raw:
   * "多边形（4 个顶点）". Null when the value is not GeoJSON. */
  function geometryOf(v) {
    let g = v;
    if (typeof v === 'string') {
      if (!/^\s*\{/.test(v)) return null;
      try { g = JSON.parse(v); } catch (e) { return null; }
    }
    if (!g || typeof g !== 'object' || typeof g.type !== 'string' || !('coordinates' in g)) return null;
    const polys = g.type === 'Polygon' ? [g.coordinates] : g.type === 'MultiPolygon' ? g.coordinates : null;
    const box = el('span', { className: 'geometry' });
    if (!Array.isArray(polys)) {
      box.textContent = g.type === 'Point' ? t('geoPoint') : t('geoOther').replace('{type}', g.type);
      return box;
    }
    const closed = (ring) => ring.length > 1 && ring[0][0] === ring[ring.length - 1][0]
      && ring[0][1] === ring[ring.length - 1][1];
    const count = polys.reduce((n, rings) => n + rings.reduce((m, ring) => m + ring.length - (closed(ring) ? 1 : 0), 0), 0);
    box.textContent = polys.length === 1 ? t('geoPolygon').replace('{n}', count)
      : t('geoMulti').replace('{k}', polys.length).replace('{n}', count);
    const pts = polys.flat(2);
    const xs = pts.map((p) => p[0]);
    const ys = pts.map((p) => p[1]);
    const [w, e, s0, n] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const k = Math.cos(((s0 + n) / 2) * Math.PI / 180);
    const scale = 56 / Math.max((e - w) * k, n - s0, 1e-9);
    const d = polys.map((rings) => rings.map((ring) => `M${ring.map((p) => [2 + (p[0] - w) * k * scale,
      2 + (n - p[1]) * scale].map((x) => x.toFixed(1)).join(',')).join('L')}Z`).join('')).join('');
    const NS = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(NS, 'svg');
    svg.setAttribute('viewBox', '0 0 60 60');
    svg.setAttribute('class', 'shape');
    const path = document.createElementNS(NS, 'path');
    path.setAttribute('d', d);
    svg.append(path);
    box.append(svg);
    return box;
  }
  async function showNode(id) {
    const n = await getJSON(`${API}/nodes/${enc(id)}`);
    const st = (labelDefs[n.label] || {}).style || {};
    const rows = Object.entries(n.properties).map(([k, v]) => el('tr', {},
      el('td', { textContent: S.lang === 'zh' ? (n.property_names_zh[k] || k) : k }),
      el('td', {}, geometryOf(v) || (v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v)),
        n.masked.includes(k) ? el('span', { className: 'masked', textContent: ` (${t('masked')})` }) : '')));
    const focusBtn = el('button', { type: 'button', textContent: t('focusHere') });
    focusBtn.onclick = () => guard(() => G.focus(n.id));
    $('#details').replaceChildren(
      el('h2', { textContent: n.name }),
      el('span', { className: 'chip', textContent: labelName(n.label) }), ` ${n.id} `, focusBtn,
      el('table', {}, el('tbody', {}, ...rows)));
    $('#details .chip').style.background = st.color || '#6b7280';
    $('#details').dataset.nodeId = n.id;
  }
  /* The legend lists the labels drawn (or folded, or switched off); a click on one hides
   * its nodes and a second shows them again. The toggle above it brings the events. */
  function legend() {
    const map = S.view === 'map';
    $('#legend').previousElementSibling.hidden = map; // there the layer list is it
    $('#events-toggle').hidden = map;
    if (map) { $('#legend').replaceChildren(); return; }
    const drawn = nodes.get();
    const present = new Set(drawn.filter((n) => n.ref).map((n) => n.ref.label)
      .concat(drawn.filter((n) => n.fold).map((n) => n.fold.label)));
    S.hide.forEach((l) => { if ([...known.values()].some((r) => r.label === l)) present.add(l); });
    $('#legend').replaceChildren(...[...present].sort().map((l) => {
      const st = (labelDefs[l] || {}).style || {};
      const sw = el('span', { className: 'swatch', textContent: GLYPH[st.shape] || '●' });
      sw.style.color = st.color || '#6b7280';
      const off = S.hide.includes(l);
      const b = el('button', { type: 'button', className: off ? 'off' : '', title: t(off ? 'legendShow' : 'legendHide') },
        sw, ` ${labelName(l)}`);
      b.dataset.label = l;
      b.setAttribute('aria-pressed', off ? 'false' : 'true');
      b.onclick = () => {
        S.hide = off ? S.hide.filter((x) => x !== l) : S.hide.concat([l]);
        guard(G.refilter);
      };
      return el('li', {}, b);
    }));
    const events = [...known.values()].filter((r) => EVENTS.includes(r.label)).length;
    $('#events').checked = S.events;
    $('#events-count').textContent = !events ? '' : S.lang === 'zh' ? `（${events}）` : ` (${events})`;
  }
  function filters() {
    const build = (sel, defs, key) => {
      $(`${sel} .checks`).replaceChildren(...Object.keys(defs).map((name) => {
        const box = el('input', { type: 'checkbox', value: name, checked: !S[key].length || S[key].includes(name) });
        box.onchange = () => {
          const on = [...document.querySelectorAll(`${sel} input:checked`)].map((b) => b.value);
          S[key] = on.length === Object.keys(defs).length ? [] : on;
          guard(G.render);
        };
        return el('label', {}, box, ` ${S.lang === 'zh' ? defs[name].name_zh : defs[name].name_en}`);
      }));
    };
    build('#label-filter', labelDefs, 'labels');
    build('#type-filter', relDefs, 'types');
    mapPanel();
    $('#events').onchange = (e) => { S.events = e.target.checked; guard(G.refilter); };
  }
  function translate() {
    document.documentElement.lang = S.lang === 'zh' ? 'zh-CN' : 'en';
    document.querySelectorAll('[data-i18n]').forEach((e) => { e.textContent = t(e.dataset.i18n); });
    document.querySelectorAll('[data-i18n-ph]').forEach((e) => { e.placeholder = t(e.dataset.i18nPh); });
    document.querySelectorAll('[data-i18n-title]').forEach((e) => { e.title = t(e.dataset.i18nTitle); });
    $('#lang').textContent = t('lang');
    filters();
  }

  Object.assign(G, { loadOverlays, paintOverlays, showNode, geometryOf, legend, translate });
}());
