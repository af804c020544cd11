/*
 * Site search client. It answers /search/?query=… from the static index that
 * isomer writes under /assets/search/: the manifest, then one term shard per
 * query word and the document-table shards of the results shown.
 *
 * No dependencies, no inline code, no eval: it runs under
 * Content-Security-Policy: default-src 'self'. The tokeniser and the ranking
 * are twins of the Go code in internal/search (tokenize.go, query.go); the
 * tests check that both agree.
 */
(function () {
  "use strict";

  // Same list as stopWords in tokenize.go.
  var STOP_WORDS = "a about after all also am an and any are as at be been before being both but by " +
    "can could did do does doing during each few for from further had has have having he her " +
    "here hers him his how i if in into is its itself just me more most must my no nor not of " +
    "off on once only or other our ours out over own same shall she should so some such than that " +
    "the their theirs them then there these they this those through to too under until up upon us " +
    "very was we were what when where which while who whom why will with within would you your yours";
  var MAX_TOKEN_RUNES = 32;
  var MIN_PREFIX_RUNES = 3;
  var MAX_SHARDS_PER_TERM = 3;
  var MAX_QUERY_SHARDS = 12;
  var MAX_QUERY_TERMS = 10;
  var PAGE_SIZE = 10;
  var INDEX_VERSION = 1;
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  var KINDS = { page: "Page", post: "Article", file: "File" };

  var stop = new Set(STOP_WORDS.split(" "));
  var WORD = /^[\p{L}\p{N}\p{M}]$/u;
  var IDEOGRAPH = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]$/u;
  // Words as the reader sees them, for highlighting: a single ideograph, or
  // a run of letters that may hold apostrophes.
  var SHOWN_WORD = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]|[\p{L}\p{N}\p{M}]+(?:['\u2019][\p{L}\p{N}\p{M}]+)*/gu;

  function isWord(c) {
    return c !== undefined && WORD.test(c);
  }

  function isIdeograph(c) {
    return c !== undefined && IDEOGRAPH.test(c);
  }

  // words calls fn with each lower-cased word of s and its length in code
  // points; each ideograph is a word of its own (tokenizer.words in Go).
  function words(s, fn) {
    var chars = Array.from(s);
    var buf = "";
    var n = 0;
    function flush() {
      if (n > 0) {
        fn(buf, n);
      }
      buf = "";
      n = 0;
    }
    for (var i = 0; i < chars.length; i++) {
      var c = chars[i];
      if (isIdeograph(c)) {
        flush();
        fn(c, 1);
      } else if (isWord(c)) {
        buf += c.toLowerCase();
        n++;
      } else if ((c === "'" || c === "\u2019") && n > 0) {
        // Inside a word an apostrophe joins; a final possessive 's goes.
        var next = chars[i + 1];
        if (!isWord(next) || isIdeograph(next)) {
          flush();
        } else if ((next === "s" || next === "S") && !isWord(chars[i + 2])) {
          flush();
          i++;
        }
      } else {
        flush();
      }
    }
    flush();
  }

  function hasVowel(w) {
    return /[aeiouy]/.test(w);
  }

  function undouble(w) {
    var n = w.length;
    if (n >= 4 && w[n - 1] === w[n - 2] && "aeiouylsz".indexOf(w[n - 1]) < 0) {
      return w.slice(0, -1);
    }
    return w;
  }

  // stem mirrors stem in tokenize.go rule for rule.
  function stem(w) {
    if (!/^[a-z]+$/.test(w) || w.length <= 3) {
      return w;
    }
    var n = w.length;
    if ((w.endsWith("ies") || w.endsWith("ied")) && n > 4) {
      return w.slice(0, -3) + "y";
    }
    if (w.endsWith("sses")) {
      return w.slice(0, -2);
    }
    if (w.endsWith("ss") || w.endsWith("us") || w.endsWith("is")) {
      return w;
    }
    if (w.endsWith("s")) {
      w = w.slice(0, -1);
    } else if (w.endsWith("eed")) {
      return w;
    } else if (w.endsWith("ing") && n >= 6 && hasVowel(w.slice(0, -3))) {
      w = undouble(w.slice(0, -3));
    } else if (w.endsWith("ed") && n >= 5 && hasVowel(w.slice(0, -2))) {
      w = undouble(w.slice(0, -2));
    }
    if (w.length >= 5 && w.endsWith("e")) {
      w = w.slice(0, -1);
    }
    return w;
  }

  // terms returns the index terms of s, in order, duplicates kept.
  function terms(s) {
    var out = [];
    words(s, function (w, n) {
      if (n === 1 && isIdeograph(w)) {
        out.push(w);
      } else if (n >= 2 && n <= MAX_TOKEN_RUNES && !stop.has(w)) {
        out.push(stem(w));
      }
    });
    return out;
  }

  function queryTerms(q) {
    var out = [];
    terms(q).forEach(function (t) {
      if (out.indexOf(t) < 0 && out.length < MAX_QUERY_TERMS) {
        out.push(t);
      }
    });
    return out;
  }

  function runes(s) {
    return Array.from(s).length;
  }

  // compare orders strings by code point, as Go orders UTF-8 bytes; the
  // < operator compares UTF-16 units, which differs above U+FFFF.
  function compare(a, b) {
    var i = 0;
    var j = 0;
    while (i < a.length && j < b.length) {
      var x = a.codePointAt(i);
      var y = b.codePointAt(j);
      if (x !== y) {
        return x < y ? -1 : 1;
      }
      i += x > 0xffff ? 2 : 1;
      j += y > 0xffff ? 2 : 1;
    }
    if (i < a.length) {
      return 1;
    }
    return j < b.length ? -1 : 0;
  }

  // shardsFor is shardsFor in query.go: the shard whose range holds the
  // term, and the next ones that begin with it when it is a prefix.
  function shardsFor(list, term) {
    var lo = 0;
    var hi = list.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (compare(list[mid][0], term) <= 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    var i = Math.max(lo - 1, 0);
    var out = [i];
    if (runes(term) >= MIN_PREFIX_RUNES) {
      for (var j = i + 1; j < list.length && out.length < MAX_SHARDS_PER_TERM && list[j][0].startsWith(term); j++) {
        out.push(j);
      }
    }
    return out;
  }

  // planShards is planShards in query.go: each word's own shard, then
  // prefix shards while the query stays within MAX_QUERY_SHARDS.
  function planShards(list, qterms) {
    var seen = new Set();
    var all = qterms.map(function (t) {
      return shardsFor(list, t);
    });
    var plan = all.map(function (sis) {
      var first = sis.slice(0, 1);
      first.forEach(function (si) {
        seen.add(si);
      });
      return first;
    });
    all.forEach(function (sis, i) {
      for (var j = plan[i].length ? 1 : 0; j < sis.length; j++) {
        if (!seen.has(sis[j]) && seen.size >= MAX_QUERY_SHARDS) {
          break;
        }
        seen.add(sis[j]);
        plan[i].push(sis[j]);
      }
    });
    return plan;
  }

  function idfScore(n, df) {
    return Math.max(1, Math.round(1000 * Math.log(1 + (n - df + 0.5) / (df + 0.5))));
  }

  function fetchJSON(url, options) {
    return fetch(url, options).then(function (r) {
      if (!r.ok) {
        throw new Error(url + ": " + r.status);
      }
      return r.json();
    });
  }

  // search returns one page of results, ranked as Search in query.go does.
  function search(indexURL, q, page) {
    var qterms = queryTerms(q);
    var base = new URL(indexURL, document.baseURI);
    var shardCache = new Map();
    function shard(kind, name) {
      var key = kind + name;
      if (!shardCache.has(key)) {
        shardCache.set(key, fetchJSON(new URL(kind + "/" + name + ".json", base), { credentials: "same-origin" }));
      }
      return shardCache.get(key);
    }
    // The manifest changes with every build; revalidate it each time.
    return fetchJSON(base, { cache: "no-cache", credentials: "same-origin" }).then(function (m) {
      if (m.v !== INDEX_VERSION) {
        throw new Error("search index version " + m.v);
      }
      var plans = planShards(m.terms, qterms);
      var loads = plans.map(function (sis) {
        return Promise.all(sis.map(function (si) {
          return shard("t", m.terms[si][1]);
        }));
      });
      return Promise.all(loads).then(function (loaded) {
        var scores = new Map();
        qterms.forEach(function (term, qi) {
          var prefix = runes(term) >= MIN_PREFIX_RUNES;
          var matches = new Map();
          loaded[qi].forEach(function (sh) {
            Object.keys(sh).forEach(function (k) {
              if ((k === term || (prefix && k.startsWith(term))) && !matches.has(k)) {
                matches.set(k, sh[k]);
              }
            });
          });
          var best = new Map();
          Array.from(matches.keys()).sort(compare).forEach(function (k) {
            var postings = matches.get(k);
            var factor = k === term ? 2 : 1;
            var doc = 0;
            for (var i = 0; i + 1 < postings.length; i += 2) {
              doc += postings[i];
              var s = factor * postings[i + 1];
              if (!(best.get(doc) >= s)) {
                best.set(doc, s);
              }
            }
          });
          // One IDF for the word and all its forms (as in query.go).
          var idf = idfScore(m.n, best.size);
          best.forEach(function (s, doc) {
            var d = scores.get(doc);
            if (!d) {
              d = { matched: 0, score: 0 };
              scores.set(doc, d);
            }
            d.matched++;
            d.score += idf * s;
          });
        });
        var ids = Array.from(scores.keys());
        ids.sort(function (a, b) {
          var x = scores.get(a);
          var y = scores.get(b);
          return (y.matched - x.matched) || (y.score - x.score) || (a - b);
        });
        var pages = Math.ceil(ids.length / PAGE_SIZE);
        page = Math.max(1, Math.min(page, pages));
        var shown = ids.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
        return Promise.all(shown.map(function (id) {
          var s = Math.floor(id / m.per);
          if (s >= m.docs.length) {
            throw new Error("document " + id + " has no table shard");
          }
          return shard("d", m.docs[s]).then(function (rows) {
            var r = rows[id % m.per];
            return { url: r[0], title: r[1], kind: r[2], date: r[3], excerpt: r[4] };
          });
        })).then(function (hits) {
          return { terms: qterms, total: ids.length, page: page, pages: pages, hits: hits };
        });
      });
    });
  }

  // matches reports whether a word on screen is one of the query's terms.
  function matches(word, qterms) {
    return terms(word).some(function (t) {
      return qterms.some(function (q) {
        return t === q || (runes(q) >= MIN_PREFIX_RUNES && t.startsWith(q));
      });
    });
  }

  // highlighted is text as DOM nodes, with the matched words in <mark>.
  function highlighted(text, qterms) {
    var frag = document.createDocumentFragment();
    var last = 0;
    text.replace(SHOWN_WORD, function (word, at) {
      if (matches(word, qterms)) {
        if (at > last) {
          frag.appendChild(document.createTextNode(text.slice(last, at)));
        }
        var mark = document.createElement("mark");
        mark.textContent = word;
        frag.appendChild(mark);
        last = at + word.length;
      }
      return word;
    });
    if (last < text.length) {
      frag.appendChild(document.createTextNode(text.slice(last)));
    }
    return frag;
  }

  function formatDate(iso) {
    var m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || "");
    if (!m || +m[2] < 1 || +m[2] > 12) {
      return iso || "";
    }
    return +m[3] + " " + MONTHS[+m[2] - 1] + " " + m[1];
  }

  function el(name, className, text) {
    var e = document.createElement(name);
    if (className) {
      e.className = className;
    }
    if (text !== undefined) {
      e.textContent = text;
    }
    return e;
  }

  function pageURL(q, page) {
    var u = new URL(location.href);
    u.hash = "";
    u.searchParams.set("query", q);
    if (page > 1) {
      u.searchParams.set("page", String(page));
    } else {
      u.searchParams.delete("page");
    }
    return u.pathname + u.search;
  }

  function render(root, q, res) {
    var list = el("ol", "search-results");
    list.start = (res.page - 1) * PAGE_SIZE + 1;
    res.hits.forEach(function (h) {
      var item = el("li", "search-result");
      var heading = el("h2", "search-result-title");
      var link = el("a");
      // The index comes from the site's own build, but a script: URL in a
      // result would still be a trap; the CSP would block it anyway.
      if (!/^\s*(javascript|vbscript|data):/i.test(h.url)) {
        link.href = h.url;
      }
      link.appendChild(highlighted(h.title || h.url, res.terms));
      heading.appendChild(link);
      item.appendChild(heading);
      var meta = [KINDS[h.kind] || "", formatDate(h.date)].filter(Boolean).join(" · ");
      if (meta) {
        item.appendChild(el("p", "search-result-meta", meta));
      }
      if (h.excerpt) {
        var p = el("p", "search-result-excerpt");
        p.appendChild(highlighted(h.excerpt, res.terms));
        item.appendChild(p);
      }
      list.appendChild(item);
    });
    if (res.hits.length) {
      root.appendChild(list);
    }
    if (res.pages > 1) {
      var nav = el("nav", "search-pagination");
      nav.setAttribute("aria-label", "Search results pages");
      if (res.page > 1) {
        var prev = el("a", "search-pagination-prev", "Previous");
        prev.href = pageURL(q, res.page - 1);
        prev.rel = "prev";
        nav.appendChild(prev);
      }
      nav.appendChild(el("span", "search-pagination-current", "Page " + res.page + " of " + res.pages));
      if (res.page < res.pages) {
        var next = el("a", "search-pagination-next", "Next");
        next.href = pageURL(q, res.page + 1);
        next.rel = "next";
        nav.appendChild(next);
      }
      root.appendChild(nav);
    }
  }

  function statusText(q, res) {
    if (res.total === 0) {
      return "No results for \u201c" + q + "\u201d.";
    }
    var s = res.total + (res.total === 1 ? " result" : " results") + " for \u201c" + q + "\u201d";
    if (res.pages > 1) {
      s += ", page " + res.page + " of " + res.pages;
    }
    return s + ".";
  }

  function start() {
    var root = document.querySelector("[data-search-results]");
    if (!root) {
      return;
    }
    var params = new URLSearchParams(location.search);
    var q = (params.get("query") || "").trim();
    var page = parseInt(params.get("page"), 10) || 1;
    document.querySelectorAll("[data-search-form] input[name='query']").forEach(function (input) {
      input.value = q;
    });
    // The live region exists before its text changes, so that screen
    // readers announce the count when it arrives.
    var status = root.querySelector("[data-search-status]");
    if (!status) {
      status = el("p", "search-status");
      status.setAttribute("data-search-status", "");
      status.setAttribute("role", "status");
      status.setAttribute("aria-live", "polite");
      status.setAttribute("aria-atomic", "true");
      root.insertBefore(status, root.firstChild);
    }
    if (!q) {
      root.setAttribute("data-search-state", "done");
      return;
    }
    root.setAttribute("aria-busy", "true");
    var done = function (text, state) {
      root.setAttribute("aria-busy", "false");
      root.setAttribute("data-search-state", state);
      status.textContent = text;
    };
    if (queryTerms(q).length === 0) {
      done(statusText(q, { total: 0 }), "done");
      return;
    }
    var indexURL = root.getAttribute("data-search-index") || "/assets/search/index.json";
    search(indexURL, q, page).then(function (res) {
      render(root, q, res);
      done(statusText(q, res), "done");
    }, function () {
      done("Search is not available right now. Please try again later.", "error");
    });
  }

  // For tests and for themes that want to reuse the tokeniser.
  window.isomerSearch = Object.freeze({ terms: terms, version: INDEX_VERSION });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
