/* govgraph explorer: what a view draws (after explorer-panel.js; see explorer-core.js
 * for the files). Everything here works on what the answers brought (known, rels) and
 * the state (S): no request, no drawing. explorer.js puts the result on the canvas.
 *
 * Folding is done here, in the page, from the neighbourhood answer, not by the server:
 * the answer is the JSON API's own (policy, community scope, redaction and audit are
 * that route's), a fold opens and closes without a request, and the numbers a fold
 * shows are the answer's, counted by the reader's browser. */
(function () {
  'use strict';
  const G = window.GovgraphExplorer;
  const { FOLD_AT, EVENTS, S, known, rels, opened, labelName, relName, refName, isCurrent, t } = G;

  // a node is drawn when its label is not switched off in the legend and, for events,
  // when events are asked for; the focus always is
  const shown = (id) => {
    const ref = known.get(id);
    if (!ref) return false;
    if (id === S.focus && S.view === 'focus') return true;
    return !S.hide.includes(ref.label) && (S.events || !EVENTS.includes(ref.label));
  };
  // the relationships that hold on the day the slider says (every one without it)
  const live = () => [...rels.values()].filter((r) => known.has(r.start) && known.has(r.end)
    && isCurrent(r.properties, S.asOf));
  const push = (m, k, v) => { if (m.has(k)) m.get(k).push(v); else m.set(k, [v]); };
  const edgeOf = (r, extra) => Object.assign({ id: r.id, from: r.start, to: r.end, arrows: 'to',
    rel: r, title: relName(r.type), color: { color: '#9ca3af' }, font: { size: 10, color: '#6b7280' } },
  extra || {});

  // ------------------------------------------------------------ the focus view
  /* Breadth first from the focus over the relationships that hold: each node is placed
   * under the first drawn node that reaches it; a node's neighbours of one kind (label
   * and relationship type) beyond FOLD_AT are one fold node until it is opened, and
   * what a closed fold holds is not walked further. Beyond `cap` drawn nodes the rest
   * wait under a "+N more" node of their parent. */
  function focusView(cap) {
    const adj = new Map();
    live().forEach((r) => { push(adj, r.start, [r.end, r]); push(adj, r.end, [r.start, r]); });
    const seen = new Set([S.focus]);
    const visible = [S.focus];
    const folds = [];
    const more = new Map(); // parent -> ids over the cap
    const via = new Map(); // id -> the open fold it hangs from
    let frontier = [S.focus];
    while (frontier.length) {
      const next = [];
      frontier.forEach((p) => {
        const groups = new Map();
        (adj.get(p) || []).slice().sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
          .forEach(([o, r]) => {
            if (seen.has(o) || !shown(o)) return;
            seen.add(o);
            const label = known.get(o).label;
            const key = `${p}|${label}|${r.type}`;
            if (!groups.has(key)) {
              groups.set(key, { key, parent: p, label, type: r.type, members: [], out: r.start === p });
            }
            groups.get(key).members.push(o);
          });
        groups.forEach((g) => {
          const folding = g.members.length > FOLD_AT;
          if (folding) {
            g.open = opened.has(g.key);
            folds.push(g);
            if (!g.open) return;
          }
          g.members.forEach((o) => {
            if (visible.length >= cap) { push(more, p, o); return; }
            visible.push(o);
            next.push(o);
            if (folding) via.set(o, g);
          });
        });
      });
      frontier = next;
    }
    const drawn = new Set(visible);
    const items = visible.map((id) => G.visNode(known.get(id)));
    const links = [];
    const many = live().filter((r) => drawn.has(r.start) && drawn.has(r.end));
    // names on the lines only when few: around a hub more of them run into each other
    // (a line's name is in its tooltip; a fold's line always says what it folds)
    many.forEach((r) => {
      // a member of an open fold hangs from the fold node, not from its parent
      const g = via.get(r.start) || via.get(r.end);
      if (g && r.type === g.type && (r.start === g.parent || r.end === g.parent)) return;
      links.push(edgeOf(r, many.length <= 8 ? { label: relName(r.type) } : {}));
    });
    folds.forEach((g) => {
      const id = `fold:${g.key}`;
      items.push({ id, ref: null, shape: 'box', fold: { key: g.key, parent: g.parent, label: g.label, type: g.type,
        count: g.members.length, open: g.open, members: g.members },
      label: `${labelName(g.label)} ×${g.members.length}${g.open ? ' ▴' : ''}`,
      title: `${relName(g.type)} · ${t(g.open ? 'foldClose' : 'foldOpen')}`,
      color: { background: g.open ? '#f3f4f6' : '#e5e7eb', border: '#6b7280' },
      font: { color: '#111827' }, borderWidth: 1, shapeProperties: { borderDashes: [4, 3] } });
      links.push({ id: `${id}:edge`, from: g.out ? g.parent : id, to: g.out ? id : g.parent,
        arrows: 'to', dashes: true, label: relName(g.type), font: { size: 10, color: '#6b7280' },
        color: { color: '#9ca3af' } });
      if (g.open) {
        g.members.filter((m) => drawn.has(m)).forEach((m) => links.push({ id: `${id}:${m}`,
          from: id, to: m, dashes: [2, 4], color: { color: '#d1d5db' } }));
      }
    });
    more.forEach((ids, p) => {
      const id = `more:${p}`;
      items.push({ id, ref: null, more: ids.length, shape: 'box', label: `+${ids.length} ${t('more')}`,
        color: { background: '#e5e7eb', border: '#9ca3af' }, font: { color: '#374151' } });
      links.push({ id: `${id}:edge`, from: p, to: id, dashes: true, color: { color: '#d1d5db' } });
    });
    return { items, links, anchor: (id) => (via.get(id) ? `fold:${via.get(id).key}` : null) };
  }

  // ------------------------------------------------------------ the community view
  const UNIT = 150; // a column: labels wrap at 120 (explorer.js, widthConstraint)
  const ROW = 95; // a row: a node and two lines of label
  /* A top-down tree that wraps: the community; under it the committee and the resident
   * groups no branch covers, in rows of `perRow`; under the committee its branches, each
   * a block with the groups it covers (and its party groups) beneath it, the blocks
   * flowing left to right and onto the next row as text does. */
  function treeView(cid, ccid, perRow) {
    const rs = live();
    const ids = (xs) => [...new Set(xs)].filter(shown).sort();
    const under = (p) => ids([...rs.filter((r) => r.type === 'COVERS' && r.start === p).map((r) => r.end),
      ...rs.filter((r) => r.type === 'SUB_ORG_OF' && r.end === p && r.start !== ccid).map((r) => r.start)]);
    const branches = ccid && shown(ccid)
      ? ids(rs.filter((r) => r.type === 'SUB_ORG_OF' && r.end === ccid).map((r) => r.start)) : [];
    const covered = new Set(branches.flatMap(under));
    const loose = ids(rs.filter((r) => r.type === 'PART_OF' && r.end === cid
      && known.get(r.start).labels.includes('ResidentGroup')).map((r) => r.start)).filter((g) => !covered.has(g));
    const place = new Map(); // id -> [x, y, level]
    const width = perRow * UNIT;
    place.set(cid, [0, 0, 0]);
    // level 1: the committee first, then the loose groups, wrapped
    const heads = (ccid && shown(ccid) ? [ccid] : []).concat(loose);
    let y = ROW;
    for (let i = 0; i < heads.length; i += perRow) {
      const row = heads.slice(i, i + perRow);
      row.forEach((id, j) => place.set(id, [(j - (row.length - 1) / 2) * UNIT, y, id === ccid ? 1 : 3]));
      y += ROW;
    }
    // the branches' blocks, flowed into rows no wider than perRow columns
    const blocks = branches.map((b) => {
      const kids = under(b);
      const cols = Math.max(1, Math.min(perRow, kids.length));
      return { b, kids, cols, rows: Math.ceil(kids.length / cols) };
    });
    const lines = [];
    blocks.forEach((k) => {
      const line = lines[lines.length - 1];
      if (line && line.cols + k.cols <= perRow) {
        line.blocks.push(k);
        line.cols += k.cols;
      } else lines.push({ blocks: [k], cols: k.cols });
    });
    y += ROW * 0.3;
    lines.forEach((line) => {
      let x = -(line.cols * UNIT) / 2;
      line.blocks.forEach((k) => {
        place.set(k.b, [x + (k.cols * UNIT) / 2, y, 2]);
        k.kids.forEach((g, i) => {
          const r = Math.floor(i / k.cols);
          const inRow = Math.min(k.cols, k.kids.length - r * k.cols);
          const c = i % k.cols;
          const gx = x + (k.cols * UNIT) / 2 + (c - (inRow - 1) / 2) * UNIT;
          if (!place.has(g)) place.set(g, [gx, y + ROW * (r + 1), 3]);
        });
        x += k.cols * UNIT;
      });
      y += ROW * (1 + Math.max(...line.blocks.map((k) => k.rows))) + ROW * 0.3;
    });
    const items = [...place].map(([id, [x, yy, level]]) => G.visNode(known.get(id),
      { x, y: yy, level }));
    const links = rs.filter((r) => place.has(r.start) && place.has(r.end)
      && ['SUB_ORG_OF', 'COVERS', 'PART_OF', 'LEADS'].includes(r.type))
      .filter((r) => !(r.type === 'PART_OF' && covered.has(r.start)))
      .map((r) => edgeOf(r, { color: { color: '#cbd5e1' } }));
    return { items, links, width };
  }

  // ------------------------------------------------------------ no label over another
  /* Each drawn node's box (its shape and label as vis-network measured them when it
   * last drew) grown by `pad`; any two that meet are pushed apart along the axis they
   * overlap least, until none meets. Returns the rounds it took. */
  function declutter(network, pad) {
    network.redraw(); // measures every label now (synchronous)
    const ids = network.body.nodeIndices.slice();
    const pos = network.getPositions(ids);
    const boxes = ids.map((id) => {
      const bb = network.getBoundingBox(id);
      const p = pos[id];
      return { id, x: p.x, y: p.y, l: p.x - bb.left + pad, r: bb.right - p.x + pad,
        t: p.y - bb.top + pad, b: bb.bottom - p.y + pad };
    });
    let moves = 0;
    // where a crowd keeps pushing back, everything spreads out a little from the centre
    // and the pushing goes on: the boxes keep their size, so apart they come
    const cx = boxes.reduce((a, b) => a + b.x, 0) / (boxes.length || 1);
    const cy = boxes.reduce((a, b) => a + b.y, 0) / (boxes.length || 1);
    for (let round = 0; round < 2000; round += 1) {
      if (round && round % 50 === 0) boxes.forEach((b) => { b.x = cx + (b.x - cx) * 1.1; b.y = cy + (b.y - cy) * 1.1; });
      boxes.sort((a, b) => (a.x - a.l) - (b.x - b.l));
      let hit = false;
      for (let i = 0; i < boxes.length; i += 1) {
        const A = boxes[i];
        for (let j = i + 1; j < boxes.length && boxes[j].x - boxes[j].l < A.x + A.r; j += 1) {
          const B = boxes[j];
          const ox = Math.min(A.x + A.r, B.x + B.r) - Math.max(A.x - A.l, B.x - B.l);
          const oy = Math.min(A.y + A.b, B.y + B.b) - Math.max(A.y - A.t, B.y - B.t);
          if (ox > 0 && oy > 0) {
            hit = true;
            if (ox < oy) {
              const s = A.x < B.x || (A.x === B.x && A.id < B.id) ? 1 : -1;
              A.x -= s * (ox / 2 + 0.5); B.x += s * (ox / 2 + 0.5);
            } else {
              const s = A.y < B.y || (A.y === B.y && A.id < B.id) ? 1 : -1;
              A.y -= s * (oy / 2 + 0.5); B.y += s * (oy / 2 + 0.5);
            }
          }
        }
      }
      if (!hit) break;
      moves += 1;
    }
    // one DataSet update (network.moveNode would redraw once for every node it moves)
    const moved = boxes.filter((b) => b.x !== pos[b.id].x || b.y !== pos[b.id].y);
    if (moved.length) G.nodes.update(moved.map((b) => ({ id: b.id, x: b.x, y: b.y })));
    network.redraw();
    return moves;
  }

  // ------------------------------------------------------------ the time slider's range
  const monthOf = (day) => Number(day.slice(0, 4)) * 12 + Number(day.slice(5, 7)) - 1;
  const monthEnd = (m) => new Date(Date.UTC(Math.floor(m / 12), (m % 12) + 1, 0))
    .toISOString().slice(0, 10);
  const today = () => new Date().toISOString().slice(0, 10);
  // from the earliest start any relationship of the view has (ten years back without one)
  function timeRange() {
    const days = [...rels.values()].map((r) => (r.properties || {}).since)
      .filter((d) => typeof d === 'string' && /^\d{4}-\d{2}/.test(d));
    if (S.asOf) days.push(S.asOf);
    const max = monthOf(today());
    const min = days.length ? Math.min(...days.map(monthOf)) : max - 120;
    return { min: Math.min(min, max - 1), max };
  }

  Object.assign(G, { shown, live, focusView, treeView, declutter, timeRange, monthOf, monthEnd, today });
}());
