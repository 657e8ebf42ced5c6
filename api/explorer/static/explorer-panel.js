/* govgraph explorer: the overlays drawn over a view and the side panel (after
 * explorer-core.js and explorer-map.js; see explorer-core.js for the files). */
(function () {
  'use strict';
  const G = window.GovgraphExplorer;
  const { API, GLYPH, S, nodes, edges, labelDefs, relDefs, $, t, enc, el, labelName,
    getJSON, guard, asOf, mapPanel } = G;

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
      const base = G.visNode(s.node);
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
    focusBtn.onclick = () => guard(() => G.focus(n.id));
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
          guard(G.render);
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

  Object.assign(G, { applyOverlays, styleOverlayPairs, showNode, legend, translate });
}());
