/* 新老结对 (pairing page): ticking pairs for an admin to accept.
 * - "select this page" ticks every pair of the table;
 * - the confirmation names how many pairs will be written, and the accept button is off
 *   while none is ticked;
 * - once accepted, the pairs written are marked in the table and can't be ticked again.
 * The server decides who may accept (the JSON route's admin-only policy); this only
 * helps the hand. No inline script: the page's CSP forbids it. */
(function () {
  'use strict';

  function boxes() {
    return Array.from(document.querySelectorAll('#pairing-pairs input[name="pair"]'));
  }
  function refresh() {
    const form = document.getElementById('pairing-accept');
    if (!form) return;
    const n = boxes().filter((b) => b.checked && !b.disabled).length;
    const button = document.getElementById('pairing-accept-button');
    if (button) button.disabled = n === 0;
    if (n > 0 && form.dataset.confirmN) {
      form.setAttribute('hx-confirm', form.dataset.confirmN.replace('{n}', String(n)));
    }
    const all = form.querySelector('[data-select-all]');
    if (all) {
      const open = boxes().filter((b) => !b.disabled);
      all.checked = open.length > 0 && open.every((b) => b.checked);
    }
  }
  function markAccepted(root) {
    const done = root.querySelector('[data-accepted]');
    if (!done) return;
    const pairs = new Set(JSON.parse(done.dataset.accepted).map((p) => `${p[0]}\u0000${p[1]}`));
    document.querySelectorAll('#pairing-pairs tbody tr[data-mentor]').forEach((tr) => {
      if (!pairs.has(`${tr.dataset.mentor}\u0000${tr.dataset.mentee}`)) return;
      tr.classList.add('accepted');
      const box = tr.querySelector('input[name="pair"]');
      if (box) { box.checked = false; box.disabled = true; }
    });
    refresh();
  }

  document.addEventListener('change', (e) => {
    const t = e.target;
    if (!(t instanceof HTMLInputElement)) return;
    if (t.matches('#pairing-accept [data-select-all]')) {
      boxes().forEach((b) => { if (!b.disabled) b.checked = t.checked; });
    }
    if (t.matches('#pairing-accept [data-select-all], #pairing-pairs input[name="pair"]')) {
      refresh();
    }
  });
  document.addEventListener('htmx:afterSwap', (e) => {
    const target = e.detail.target;
    if (target.id === 'content') refresh();
    if (target.id === 'pairing-result') markAccepted(target);
  });
}());
