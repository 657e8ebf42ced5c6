/* govgraph workbench, 名册导入: the roster upload (api/workbench/fragments/rosters.py).
 * The chosen File stays here, in the tab, from the dry run to the confirmation: it is
 * posted with the tab's bearer token straight to the JSON route
 * POST /api/v1/rosters/{kind} (dry_run=true, then for real; report=xlsx for the file
 * with the bad cells marked), and the route's answer is posted to the page's report
 * route to be rendered. Nothing is kept on the server between the steps. */
(function () {
  'use strict';
  const TOKEN_KEY = 'govgraph-token';
  // the file and the parameters of the last dry run: what "confirm" sends again
  let held = null;

  const $ = (sel) => document.querySelector(sel);
  const auth = () => ({ Authorization: `Bearer ${sessionStorage.getItem(TOKEN_KEY)}` });

  function loggedOut() {
    sessionStorage.removeItem(TOKEN_KEY);
    location.reload(); // the shell asks for a token again
  }

  function say(text, cls) {
    const out = $('#roster-result');
    const p = document.createElement('p');
    p.className = cls || 'note';
    p.textContent = text;
    out.replaceChildren(p);
  }

  function choose(file) {
    held = null; // a new file is checked again before it can be written
    $('#roster-file-name').textContent = file ? file.name : '';
    $('#roster-result').replaceChildren();
  }

  function post(h, dryRun, report) {
    const q = new URLSearchParams(h.query);
    q.set('dry_run', dryRun ? 'true' : 'false');
    if (report) q.set('report', report);
    const body = new FormData();
    body.append('file', h.file, h.file.name);
    return fetch(`/api/v1/rosters/${encodeURIComponent(h.kind)}?${q}`,
      { method: 'POST', headers: auth(), body });
  }

  // The JSON route's answer rendered by the page (its words, its escaping).
  async function show(h, step, r) {
    if (r.status === 401) { loggedOut(); return; }
    let answer = null;
    try { answer = await r.json(); } catch (e) { answer = { detail: `${r.status}` }; }
    const form = $('#roster-form');
    const shown = Number(form.dataset.shown);
    const envelope = { kind: h.kind, step, status: r.status, answer };
    if (answer && Array.isArray(answer.issues)) {
      envelope.issues_total = answer.issues.length;
      envelope.diffs_total = (answer.diffs || []).length;
      answer.issues = answer.issues.slice(0, shown);
      answer.diffs = (answer.diffs || []).slice(0, shown);
      // who is added, whose relationship ends (when the route lists them)
      if (Array.isArray(answer.added)) answer.added = answer.added.slice(0, shown);
      if (Array.isArray(answer.ended)) answer.ended = answer.ended.slice(0, shown);
    }
    const page = await fetch(form.dataset.reportUrl, {
      method: 'POST',
      headers: { ...auth(), 'Content-Type': 'application/json' },
      body: JSON.stringify(envelope),
    });
    if (page.status === 401) { loggedOut(); return; }
    if ((page.headers.get('content-type') || '').startsWith('application/json')) {
      // refused before the page's route ran (the body too large, a bad parameter)
      let detail = `${page.status}`;
      try { detail = (await page.json()).detail || detail; } catch (e) { /* keep */ }
      say(typeof detail === 'string' ? detail : JSON.stringify(detail), 'error-box');
      return;
    }
    $('#roster-result').innerHTML = await page.text(); // rendered there, every value escaped
    if (step === 'write' && answer && answer.written) held = null; // written once only
  }

  async function dryRun(form) {
    const input = $('#roster-file');
    const file = input.files && input.files[0];
    if (!file) { say(form.dataset.noFile, 'error'); return; }
    const q = new URLSearchParams();
    const asOf = form.elements.as_of.value;
    if (asOf) q.set('as_of', asOf);
    if (form.elements.keep_missing.checked) q.set('keep_missing', 'true');
    if (form.elements.allow_rename.checked) q.set('allow_rename', 'true');
    held = { file, kind: form.elements.kind.value, query: q.toString() };
    const h = held;
    say(form.dataset.busy);
    await show(h, 'dry_run', await post(h, true));
  }

  async function confirmWrite(button) {
    if (!held) return;
    const h = held;
    button.disabled = true;
    say($('#roster-form').dataset.busy);
    await show(h, 'write', await post(h, false));
  }

  async function annotated(button) {
    if (!held) return;
    button.disabled = true;
    try {
      const r = await post(held, true, 'xlsx');
      if (r.status === 401) { loggedOut(); return; }
      const type = r.headers.get('content-type') || '';
      if (!type.startsWith('application/vnd.openxmlformats')) return; // the file passed
      const a = document.createElement('a');
      a.href = URL.createObjectURL(await r.blob());
      a.download = button.dataset.filename;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 10000);
    } finally {
      button.disabled = false;
    }
  }

  document.addEventListener('submit', (e) => {
    if (e.target.id !== 'roster-form') return;
    e.preventDefault();
    dryRun(e.target);
  });
  document.addEventListener('change', (e) => {
    if (e.target.id === 'roster-file') choose(e.target.files && e.target.files[0]);
    // another kind, date or option: the report no longer holds, check again
    else if (e.target.closest && e.target.closest('#roster-form')) choose(held && held.file);
  });
  document.addEventListener('click', (e) => {
    const ok = e.target.closest('[data-roster-confirm]');
    if (ok) { e.preventDefault(); confirmWrite(ok); return; }
    const marked = e.target.closest('[data-roster-annotated]');
    if (marked) { e.preventDefault(); annotated(marked); }
  });
  // a file dropped on the zone is the input's file
  document.addEventListener('dragover', (e) => {
    const zone = e.target.closest && e.target.closest('.drop-zone');
    if (!zone) return;
    e.preventDefault();
    zone.classList.add('over');
  });
  document.addEventListener('dragleave', (e) => {
    const zone = e.target.closest && e.target.closest('.drop-zone');
    if (zone) zone.classList.remove('over');
  });
  document.addEventListener('drop', (e) => {
    const zone = e.target.closest && e.target.closest('.drop-zone');
    if (!zone) return;
    e.preventDefault();
    zone.classList.remove('over');
    const input = $('#roster-file');
    if (e.dataTransfer && e.dataTransfer.files.length) {
      input.files = e.dataTransfer.files;
      choose(input.files[0]);
    }
  });
  document.addEventListener('htmx:afterSwap', (e) => {
    if (e.detail.target.id === 'content') held = null; // another page, or this one anew
  });
}());
