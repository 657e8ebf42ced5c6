/* govgraph workbench: the little a server-rendered page needs in the browser.
 * - the token: kept in this tab's sessionStorage (the explorer's key, one login for
 *   both), sent as a bearer header with every htmx request and download;
 * - the content: fetched once logged in, re-fetched on login; 401 asks to log in again;
 * - the address bar follows the filters (each page fragment names its own URL);
 * - charts (Apache ECharts, loaded by the pages that have charts) drawn from data-
 *   attributes; .xlsx downloads; print.
 * No inline script anywhere (the pages' Content-Security-Policy allows none). */
(function () {
  'use strict';
  const TOKEN_KEY = 'govgraph-token';
  const $ = (sel) => document.querySelector(sel);
  const token = () => sessionStorage.getItem(TOKEN_KEY);
  const charts = [];

  function showLogin(message) {
    $('#login').hidden = false;
    $('#logout').hidden = true;
    $('#search-box').hidden = true;
    $('#login-error').textContent = message || '';
    $('#token').focus();
  }
  function ready() {
    $('#login').hidden = true;
    $('#logout').hidden = false;
    $('#search-box').hidden = false;
    htmx.trigger(document.body, 'govgraph:ready');
  }

  document.addEventListener('htmx:configRequest', (e) => {
    const tok = token();
    if (tok) e.detail.headers.Authorization = `Bearer ${tok}`;
  });
  document.addEventListener('htmx:responseError', (e) => {
    if (e.detail.xhr.status === 401) {
      sessionStorage.removeItem(TOKEN_KEY);
      showLogin($('#login-error').dataset.badToken);
    }
  });
  // An answer the guard gave before the page's route ran (a 404 for an id out of the
  // caller's sight, a 422 for a bad filter, a 429) is JSON: shown as the page's error.
  document.addEventListener('htmx:beforeSwap', (e) => {
    const type = e.detail.xhr.getResponseHeader('content-type') || '';
    if (!type.startsWith('application/json')) return;
    let detail = `${e.detail.xhr.status}`;
    try {
      const d = JSON.parse(e.detail.xhr.responseText).detail;
      detail = typeof d === 'string' ? d : JSON.stringify(d);
    } catch (err) { /* not JSON after all */ }
    const box = document.createElement('section');
    box.className = 'error-box';
    box.setAttribute('role', 'alert');
    box.append(Object.assign(document.createElement('p'), { textContent: detail }));
    e.detail.serverResponse = box.outerHTML;
  });
  document.addEventListener('htmx:afterSwap', (e) => {
    if (e.detail.target.id !== 'content') return; // the menu, a suggestion list …
    const page = e.detail.target.querySelector('[data-page-url]');
    if (page) history.replaceState(null, '', page.dataset.pageUrl);
    const toggle = $('#lang-toggle');
    if (page && toggle) {
      const q = new URLSearchParams(page.dataset.pageUrl.split('?')[1] || '');
      q.set('lang', document.body.dataset.lang === 'zh' ? 'en' : 'zh');
      toggle.href = `?${q}`;
    }
    drawCharts(e.detail.target);
  });

  function drawCharts(root) {
    while (charts.length) charts.pop().dispose();
    if (!window.echarts) { // fetched (preloaded) by the pages that draw charts only
      const wanted = document.getElementById('echarts-js');
      if (!wanted || !root.querySelector('[data-chart]')) return;
      let lib = document.getElementById('echarts-lib');
      if (!lib) { // run it now, after the content is drawn: the page is usable first
        lib = Object.assign(document.createElement('script'), { id: 'echarts-lib',
          src: wanted.href });
        document.head.append(lib);
      }
      lib.addEventListener('load', () => drawCharts(root), { once: true });
      return;
    }
    root.querySelectorAll('[data-chart="bars"]').forEach((el) => {
      const unit = el.dataset.unit || '';
      const chart = echarts.init(el, null, { renderer: 'svg' });
      chart.setOption({
        title: { text: el.dataset.title, left: 'center', textStyle: { fontSize: 14 } },
        tooltip: { trigger: 'axis', valueFormatter: (v) => (v == null ? '—' : `${v}${unit}`) },
        legend: { bottom: 0 },
        grid: { left: 48, right: 16, top: 40, bottom: 56 },
        xAxis: { type: 'category', data: JSON.parse(el.dataset.categories),
          axisLabel: { interval: 0, rotate: 30 } },
        yAxis: { type: 'value', axisLabel: { formatter: `{value}${unit}` } },
        series: JSON.parse(el.dataset.series).map((s) => ({ ...s, type: 'bar' })),
        animation: false,
      });
      charts.push(chart);
    });
  }
  window.addEventListener('resize', () => charts.forEach((c) => c.resize()));

  async function download(url, name) {
    const r = await fetch(url, { headers: { Authorization: `Bearer ${token()}` } });
    if (r.status === 401) { showLogin($('#login-error').dataset.badToken); return; }
    if (!r.ok) { alert(`${r.status} ${r.statusText}`); return; }
    const a = document.createElement('a');
    a.href = URL.createObjectURL(await r.blob());
    a.download = name;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  }
  document.addEventListener('click', (e) => {
    const dl = e.target.closest('[data-download]');
    if (dl) { e.preventDefault(); download(dl.dataset.download, dl.dataset.filename); }
    if (e.target.closest('[data-print]')) { e.preventDefault(); window.print(); }
  });

  // The header box's suggestions from the keyboard: ↓/↑ move through them (the box
  // keeps the focus, aria-activedescendant names the option), Enter opens the one
  // chosen (else searches in full), Esc closes the list.
  function suggestKeys(e) {
    const box = $('#suggestions');
    const options = [...box.querySelectorAll('[role="option"]')];
    const at = options.findIndex((o) => o.getAttribute('aria-selected') === 'true');
    const choose = (i) => {
      options.forEach((o, j) => {
        o.id = o.id || `suggestion-${j}`;
        o.setAttribute('aria-selected', String(j === i));
      });
      e.target.setAttribute('aria-activedescendant', i >= 0 ? options[i].id : '');
    };
    if (e.key === 'ArrowDown' && options.length) {
      e.preventDefault();
      choose((at + 1) % options.length);
    } else if (e.key === 'ArrowUp' && options.length) {
      e.preventDefault();
      choose(at <= 0 ? options.length - 1 : at - 1);
    } else if (e.key === 'Enter' && at >= 0) {
      e.preventDefault();
      location.assign(options[at].href);
    } else if (e.key === 'Escape') {
      box.replaceChildren();
      e.target.removeAttribute('aria-activedescendant');
    }
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('#search-box input[type="search"]').addEventListener('keydown', suggestKeys);
    $('#login').addEventListener('submit', (e) => {
      e.preventDefault();
      sessionStorage.setItem(TOKEN_KEY, $('#token').value.trim());
      $('#token').value = '';
      ready();
    });
    $('#logout').addEventListener('click', () => {
      sessionStorage.removeItem(TOKEN_KEY);
      location.reload();
    });
    if (token()) ready(); else showLogin('');
  });
}());
