/* govgraph explorer: drawing the graph, the views, the controls, and the start (the
 * last of the five scripts; see explorer-core.js for the files). */
(function () {
  'use strict';
  const G = window.GovgraphExplorer;
  const { API, MAX_DRAWN, UNFOLD_STEP, PRELOAD, S, nodes, edges, known, rels, folded, opened,
    expanded, back, fwd, labelDefs, relDefs, $, t, enc, el, labelName, refName, TOKEN_KEY,
    authHeaders, loggedIn, getJSON, nbUrl, status, guard, readHash, asOf, writeHash, renderMap,
    currentMap, loadOverlays, paintOverlays, showNode, legend, translate } = G;
  let network = null;

  // ------------------------------------------------------------ drawing
  function visNode(ref, extra) {
    const st = (labelDefs[ref.label] || {}).style || {};
    const color = st.color || '#6b7280';
    const shape = st.shape || 'dot';
    const inside = ['box', 'ellipse', 'circle', 'database', 'text'].includes(shape);
    // a party organisation drawn by the name people use (上星社区第一党支部); its
    // record name is in the details. Labels wrap at 120 px: two short lines, not one long
    return Object.assign({ id: ref.id, label: refName(ref), ref, shape,
      size: 14, borderWidth: 1, widthConstraint: { maximum: 120 },
      color: { background: color, border: color, highlight: { background: color, border: '#111827' } },
      font: { color: inside ? '#ffffff' : '#1f2937', face: 'Noto Sans CJK SC, sans-serif',
        strokeWidth: inside ? 0 : 3, strokeColor: '#ffffff' },
      title: `${labelName(ref.label)} · ${ref.name} · ${ref.id}` }, extra || {});
  }
  const drawnCount = () => nodes.get().filter((n) => n.ref).length;
  let cap = MAX_DRAWN;
  let shape = null; // the community view's ids: { cid, ccid }
  function addAnswer(nb) {
    nb.nodes.forEach((n) => { if (!known.has(n.id)) known.set(n.id, n); });
    nb.relationships.forEach((r) => rels.set(r.id, r));
  }
  /* Puts the view (explorer-view.js) on the canvas: nodes that stay keep their place,
   * new ones start beside the node they hang from, overlays are painted over it.
   * Returns how many nodes came in. */
  function redraw() {
    const view = S.view === 'community' && shape ? fittedTree() : G.focusView(cap);
    paintOverlays(view.items, view.links);
    const want = new Map(view.items.map((n) => [n.id, n]));
    const pos = network.getPositions();
    const gone = nodes.getIds().filter((id) => !want.has(id));
    folded.clear();
    let fresh = 0;
    const add = [];
    const upd = [];
    want.forEach((n, id) => {
      if (n.fold || n.more) folded.set(id, n.fold || { more: n.more });
      const old = nodes.get(id);
      if (old && S.view === 'focus') {
        // a key the new item lacks (a gap mark that no longer holds) goes with a re-add
        const stale = Object.keys(old).some((k) => !(k in n) && k !== 'x' && k !== 'y');
        if (!stale) { upd.push(n); return; }
        gone.push(id);
        add.push(Object.assign({}, n, pos[id] || {}));
        return;
      }
      if (old) gone.push(id);
      fresh += old ? 0 : 1;
      const near = S.view === 'focus' && !('x' in n) && (pos[view.anchor(id)] || pos[n.fold ? n.fold.parent : '']
        || pos[nearest(id, pos)]);
      add.push(near ? Object.assign(around(near, id), n) : n);
    });
    // one change of each kind: vis-network redraws once per DataSet event
    nodes.remove(gone);
    nodes.update(upd);
    nodes.add(add);
    edges.clear();
    edges.add(view.links);
    if (S.focus && nodes.get(S.focus) && S.view === 'focus') {
      nodes.update({ id: S.focus, size: 24, borderWidth: 3, focused: true,
        font: Object.assign({}, nodes.get(S.focus).font, { size: 18, bold: true }) });
    }
    legend();
    return fresh;
  }
  // the community tree with as many columns as make it largest in the canvas
  function fittedTree() {
    const box = $('#graph');
    let best = null;
    for (let per = 3; per <= 10; per += 1) {
      const v = G.treeView(shape.cid, shape.ccid, per);
      const xs = v.items.map((n) => n.x);
      const ys = v.items.map((n) => n.y);
      const scale = Math.min(box.clientWidth / (Math.max(...xs) - Math.min(...xs) + 150),
        box.clientHeight / (Math.max(...ys) - Math.min(...ys) + 95));
      if (!best || scale > best.scale + 1e-9) best = { scale, v };
    }
    return best.v;
  }
  // a place beside `p` that depends on the id only (the same view lays out the same way)
  function around(p, id) {
    let h = 0;
    for (let i = 0; i < id.length; i += 1) h = (h * 31 + id.charCodeAt(i)) | 0;
    const a = ((h >>> 0) % 360) * Math.PI / 180;
    return { x: p.x + 40 * Math.cos(a), y: p.y + 40 * Math.sin(a) };
  }
  function nearest(id, pos) { // a drawn neighbour of a new node
    for (const r of rels.values()) {
      const other = r.start === id ? r.end : r.end === id ? r.start : null;
      if (other && pos[other]) return other;
    }
    return null;
  }
  function reset() {
    nodes.clear(); edges.clear(); known.clear(); rels.clear(); folded.clear(); opened.clear();
    expanded.clear();
    cap = MAX_DRAWN;
    shape = null;
    if (network) network.destroy();
    network = new vis.Network($('#graph'), { nodes, edges }, {
      layout: { improvedLayout: true, randomSeed: 17 }, physics: false, // the same view, the same picture
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
  // Labels pushed apart, then the whole view in sight (not magnified past 1.5).
  function tidy() {
    G.declutter(network, 4);
    network.fit({ maxZoomLevel: 1.5 });
    document.body.dataset.layout = 'done';
  }
  // The layout is computed before it is shown (a bounded number of physics iterations,
  // at most 300 nodes), then physics stops: big views never keep the CPU busy.
  function settle(iterations) {
    if (S.view !== 'focus') { tidy(); return Promise.resolve(); }
    document.body.dataset.layout = 'running';
    return new Promise((resolve) => {
      network.setOptions({ physics: { enabled: true, solver: 'barnesHut',
        barnesHut: { springLength: 140, avoidOverlap: 0.3 } } });
      network.once('stabilizationIterationsDone', () => {
        network.setOptions({ physics: false });
        tidy();
        resolve();
      });
      network.stabilize(iterations);
    });
  }
  function shownStatus() {
    const folds = [...folded.values()].filter((f) => f.count && !f.open).length;
    return t('shown').replace('{n}', drawnCount()) + (folds ? t('foldedN').replace('{n}', folds) : '');
  }
  async function onClick(id) {
    const f = folded.get(id);
    if (f) {
      if (f.more) cap += UNFOLD_STEP;
      else if (opened.has(f.key)) opened.delete(f.key);
      else opened.add(f.key);
      redraw();
      await settle(100);
      status(shownStatus());
      return;
    }
    await showNode(id);
    if (S.view !== 'focus' || expanded.has(id)) return;
    expanded.add(id);
    addAnswer(await getJSON(nbUrl(id, 1, S.types, S.labels)));
    redraw();
    await settle(100);
    status(shownStatus());
  }
  // A legend click, the events toggle or the slider: the same answers drawn anew.
  async function refilter() {
    writeHash();
    if (S.view === 'map') return;
    document.body.dataset.state = 'loading';
    await loadOverlays();
    const fresh = redraw();
    if (fresh || S.view !== 'focus') await settle(60); else tidy();
    status(shownStatus());
    document.body.dataset.state = 'ready';
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
    else if (S.focus) await renderFocus();
    else { reset(); status(t('hint')); }
    legend();
    timeSlider();
    document.body.dataset.focus = S.focus || '';
    document.body.dataset.view = S.view;
    document.body.dataset.state = 'ready';
  }
  async function renderFocus() {
    reset();
    status(t('loading'));
    const nb = await getJSON(nbUrl(S.focus, S.depth, S.types, S.labels));
    addAnswer(nb);
    expanded.add(S.focus);
    await loadOverlays();
    redraw();
    network.selectNodes([S.focus]);
    await settle(250);
    status(shownStatus() + (nb.truncated ? t('truncated') : ''));
    await showNode(S.focus);
  }
  async function renderCommunity() {
    reset();
    const sum = await getJSON(`${API}/communities/${enc(S.community)}/summary${asOf()}`);
    known.set(sum.community.id, sum.community);
    const cc = sum.committee;
    if (cc) {
      known.set(cc.id, cc);
      addAnswer(await getJSON(nbUrl(cc.id, 2, ['COVERS', 'SUB_ORG_OF'], [])));
      rels.set(`leads:${cc.id}`, { id: `leads:${cc.id}`, type: 'LEADS', start: cc.id, end: sum.community.id, properties: {} });
    }
    // resident groups no branch covers hang from the community itself
    addAnswer(await getJSON(nbUrl(sum.community.id, 1, ['PART_OF'], ['ResidentGroup'])));
    shape = { cid: sum.community.id, ccid: cc ? cc.id : null };
    await loadOverlays();
    redraw();
    tidy();
    status(`${sum.community.name} · ${shownStatus()}`);
    await showNode(sum.community.id);
  }
  async function focus(id) {
    if (S.focus && (S.focus !== id || S.view !== 'focus')) { back.push(S.focus); fwd.length = 0; }
    S.focus = id;
    S.view = 'focus';
    await render();
  }

  // ------------------------------------------------------------ the time slider
  function timeSlider() {
    const r = G.timeRange();
    const box = $('#as-of');
    box.min = String(r.min);
    box.max = String(r.max);
    box.value = String(S.asOf ? Math.max(r.min, G.monthOf(S.asOf)) : r.max);
    $('#as-of-day').textContent = S.asOf || t('today');
  }
  function wireSlider() {
    const box = $('#as-of');
    if (PRELOAD) { box.closest('label').hidden = true; return; } // the file holds today's answers only
    const dayOf = () => (Number(box.value) >= Number(box.max) ? null : G.monthEnd(Number(box.value)));
    box.oninput = () => { $('#as-of-day').textContent = dayOf() || t('today'); };
    box.onchange = () => {
      S.asOf = dayOf();
      $('#as-of-day').textContent = S.asOf || t('today');
      guard(S.view === 'focus' ? refilter : render);
    };
  }

  // ------------------------------------------------------------ controls
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
    Object.assign(labelDefs, Object.fromEntries(schema.labels.map((l) => [l.name, l])));
    Object.assign(relDefs, Object.fromEntries(schema.relationships.map((r) => [r.name, r])));
    wire();
    wireSlider();
    translate();
    await render();
  }
  Object.assign(G, { visNode, focus, render, refilter });
  window.addEventListener('hashchange', () => { readHash(); translate(); guard(render); });
  window.explorer = { state: S, nodes, edges, focus, search: doSearch, map: currentMap,
    network: () => network, click: (id) => guard(() => onClick(id)),
    // Page coordinates of a drawn node (browser tests click on the canvas with them).
    pagePosition(id) {
      const p = network.canvasToDOM(network.getPositions([id])[id]);
      const box = $('#graph').getBoundingClientRect();
      return { x: box.left + p.x, y: box.top + p.y };
    } };
  guard(start);
}());
