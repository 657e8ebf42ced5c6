/* govgraph explorer: drawing the graph, the views, the controls, and the start (the
 * last of the four scripts; see explorer-core.js for the files). */
(function () {
  'use strict';
  const G = window.GovgraphExplorer;
  const { API, MAX_DRAWN, UNFOLD_STEP, PRELOAD, S, nodes, edges, rels, folded, expanded,
    back, fwd, labelDefs, relDefs, $, t, enc, el, labelName, relName, TOKEN_KEY, authHeaders,
    loggedIn, getJSON, nbUrl, status, guard, readHash, asOf, writeHash, renderMap, currentMap,
    applyOverlays, styleOverlayPairs, showNode, legend, translate } = G;
  let network = null;

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
    translate();
    await render();
  }
  Object.assign(G, { visNode, focus, render });
  window.addEventListener('hashchange', () => { readHash(); translate(); guard(render); });
  window.explorer = { state: S, nodes, edges, focus, search: doSearch, map: currentMap,
    network: () => network,
    // Page coordinates of a drawn node (browser tests click on the canvas with them).
    pagePosition(id) {
      const p = network.canvasToDOM(network.getPositions([id])[id]);
      const box = $('#graph').getBoundingClientRect();
      return { x: box.left + p.x, y: box.top + p.y };
    } };
  guard(start);
}());
