/**
 * The search page's script, served as a file (never inline). It loads the index only when the
 * reader searches (or focuses the box), matches every query word as a prefix of an indexed
 * word (Chinese and Japanese as character pairs), and builds results with DOM calls (textContent / setAttribute), never with HTML strings.
 */
import type { PluralMessage } from '../i18n';
import { normalizeForSearch, splitSearchWords } from './search-text';

/**
 * The words the script shows, in the chrome's language: the search page carries them as JSON in
 * the status line's `data-messages`, so one script file serves every language. Counts pick their
 * plural form with the browser's `Intl.PluralRules` for `lang`.
 */
export interface SearchScriptMessages {
  /** Locale of numbers and plural rules. */
  lang: string;
  prompt: string;
  searching: string;
  nothing: string;
  failed: string;
  /** "{count} stories found." */
  found: PluralMessage;
  /** "{count} stories found, showing the first {max}." */
  foundFirst: PluralMessage;
}

/** Results shown at most; the status line says how many matched. */
const MAX_RESULTS = 50;

export const SEARCH_JS = `/* rss-digest search: static, client-side, no third-party requests. */
(function () {
  'use strict';
  var normalizeForSearch = ${normalizeForSearch.toString()};
  var splitSearchWords = ${splitSearchWords.toString()};
  var MAX = ${MAX_RESULTS};
  var form = document.getElementById('search-form');
  var input = document.getElementById('search-q');
  var status = document.getElementById('search-status');
  var list = document.getElementById('search-results');
  var meta = document.querySelector('meta[name="rss-digest-search"]');
  if (!form || !input || !status || !list || !meta) return;
  var messages = JSON.parse(status.getAttribute('data-messages') || '{}');
  var plurals = new Intl.PluralRules(messages.lang);
  var numbers = new Intl.NumberFormat(messages.lang);
  /** A count's message in the page's language: its plural form, with {count} and {max} filled in. */
  function counted(forms, n) {
    var form = forms[plurals.select(n)] || forms.other;
    return form.replace('{count}', numbers.format(n)).replace('{max}', numbers.format(MAX));
  }
  var indexUrl = new URL(meta.getAttribute('content'), document.baseURI);
  var docsPromise = null;
  var timer = 0;
  /** The query whose results are on screen, so typing then pressing Enter does not render twice. */
  var shown = null;

  function json(r) {
    if (!r.ok) throw new Error('HTTP ' + r.status);
    return r.json();
  }
  function load() {
    if (!docsPromise) {
      docsPromise = fetch(indexUrl.href)
        .then(json)
        .then(function (manifest) {
          return Promise.all((manifest.shards || []).map(function (s) {
            return fetch(new URL(s.key, indexUrl).href).then(json).then(function (shard) { return shard.docs || []; });
          }));
        })
        .then(function (parts) { return [].concat.apply([], parts); });
      docsPromise.catch(function () { docsPromise = null; });
    }
    return docsPromise;
  }
  function terms(q) {
    return splitSearchWords(normalizeForSearch(q)).map(function (w) {
      return /^[a-z]{4,}s$/.test(w) ? w.slice(0, -1) : w;
    });
  }
  function has(keywords, term) {
    return (' ' + (keywords || '')).indexOf(' ' + term) !== -1;
  }
  function score(doc, qs) {
    var total = 0;
    for (var i = 0; i < qs.length; i++) {
      if (has(doc.tk, qs[i])) total += 3;
      else if (has(doc.k, qs[i])) total += 1;
      else return 0;
    }
    return total;
  }
  function safeUrl(u) {
    try {
      var x = new URL(String(u), document.baseURI);
      return x.protocol === 'http:' || x.protocol === 'https:' ? x.href : null;
    } catch (e) {
      return null;
    }
  }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs) if (attrs[k] != null) e.setAttribute(k, String(attrs[k]));
    if (text != null) e.textContent = String(text);
    return e;
  }
  function render(hits) {
    var frag = document.createDocumentFragment();
    hits.slice(0, MAX).forEach(function (h) {
      var d = h.doc;
      var li = el('li', { lang: d.l, dir: d.r });
      var title = el('h3', {});
      var href = safeUrl(d.u);
      title.appendChild(href ? el('a', { href: href }, d.t) : el('span', {}, d.t));
      li.appendChild(title);
      var m = el('p', { 'class': 'm', lang: document.documentElement.lang });
      m.appendChild(el('bdi', {}, d.s));
      m.appendChild(document.createTextNode(' · '));
      var day = safeUrl(d.p);
      m.appendChild(day ? el('a', { href: day }, d.d) : el('span', {}, d.d));
      li.appendChild(m);
      if (d.x) li.appendChild(el('p', {}, d.x));
      frag.appendChild(li);
    });
    list.textContent = '';
    list.appendChild(frag);
  }
  function search(q) {
    if (q === shown) return;
    var qs = terms(q);
    if (!qs.length) {
      shown = q;
      list.textContent = '';
      status.textContent = messages.prompt;
      return;
    }
    status.textContent = messages.searching;
    load().then(function (docs) {
      if (input.value !== q) return;
      var hits = [];
      for (var i = 0; i < docs.length; i++) {
        var s = score(docs[i], qs);
        if (s) hits.push({ score: s, doc: docs[i] });
      }
      hits.sort(function (a, b) {
        return b.score - a.score || (a.doc.d < b.doc.d ? 1 : a.doc.d > b.doc.d ? -1 : 0);
      });
      status.textContent = hits.length ? counted(hits.length > MAX ? messages.foundFirst : messages.found, hits.length) : messages.nothing;
      shown = q;
      render(hits);
    }, function () {
      status.textContent = messages.failed;
    });
  }
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    clearTimeout(timer);
    var q = input.value;
    try { history.replaceState(null, '', '?q=' + encodeURIComponent(q)); } catch (err) { /* file: URLs */ }
    search(q);
  });
  input.addEventListener('input', function () {
    clearTimeout(timer);
    var q = input.value;
    timer = setTimeout(function () { search(q); }, 200);
  });
  input.addEventListener('focus', function () { load().catch(function () {}); }, { once: true });
  var initial = new URLSearchParams(location.search).get('q');
  if (initial) {
    input.value = initial;
    search(initial);
  } else {
    status.textContent = messages.prompt;
  }
})();
`;
