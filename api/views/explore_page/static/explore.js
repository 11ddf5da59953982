"use strict";
// The Veille explorer: every number and text on the page comes from the public /v1 API, with
// plain GETs (no custom header, so a copy of this page on another origin needs no CORS
// preflight). The state lives in the page's query string, so a view can be shared as a link.
(() => {
  const API = "/v1";
  const FACET_SIZE = 10;
  const HITS = 50;
  const SEARCH_WINDOW = 500; // the largest page /v1/search serves: snippets for the hits shown
  const FACETS = ["speaker", "kind", "type"];
  const state = { q: "", speaker: [], kind: [], type: [] };
  const speakerNames = new Map(); // entity id → name, learnt from the speaker facet's labels
  const articles = new Map(); // article id → promise of the article, fetched once
  let generation = 0; // a newer load supersedes the responses of an older one

  const byId = (id) => document.getElementById(id);

  function query(pairs) {
    const search = new URLSearchParams();
    for (const [name, value] of pairs) {
      for (const item of Array.isArray(value) ? value : [value]) {
        if (item !== "" && item !== undefined) search.append(name, item);
      }
    }
    return search.toString();
  }

  async function get(path, pairs) {
    const response = await fetch(`${API}${path}?${query(pairs)}`, {
      headers: { Accept: "application/json" },
    });
    const body = await response.json().catch(() => null);
    if (!response.ok) {
      // the API's errors are problem+json: its detail names what was wrong
      throw new Error((body && (body.detail || body.title)) || `HTTP ${response.status}`);
    }
    return body;
  }

  function element(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
    for (const child of children) node.append(child);
    return node;
  }

  // Snippets are HTML from the API: escaped text with <mark> around the matching words. They are
  // rebuilt as DOM nodes, never assigned to innerHTML: <mark> and </mark> become elements, every
  // other character stays text (entities decoded), so any other tag would show as text.
  const ENTITIES = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'", "&#x27;": "'" };
  function decode(text) {
    return text.replace(/&(?:amp|lt|gt|quot|#39|#x27);/g, (entity) => ENTITIES[entity]);
  }
  function snippetNodes(snippet) {
    const nodes = [];
    let mark = null;
    for (const part of snippet.split(/(<mark>|<\/mark>)/)) {
      if (part === "<mark>" && !mark) {
        mark = element("mark");
        nodes.push(mark);
      } else if (part === "</mark>" && mark) {
        mark = null;
      } else if (part) {
        const text = document.createTextNode(decode(part));
        if (mark) mark.append(text);
        else nodes.push(text);
      }
    }
    return nodes;
  }

  function count(n, noun) {
    return `${n} ${noun}${n === 1 ? "" : "s"}`;
  }

  function readLocation() {
    const search = new URLSearchParams(window.location.search);
    state.q = search.get("q") || "";
    for (const facet of FACETS) state[facet] = search.getAll(facet);
    byId("q").value = state.q;
  }

  function writeLocation() {
    const search = query(["q", ...FACETS].map((name) => [name, state[name]]));
    window.history.replaceState(null, "", search ? `?${search}` : window.location.pathname);
  }

  function toggle(facet, value) {
    const values = state[facet];
    state[facet] = values.includes(value) ? values.filter((v) => v !== value) : [...values, value];
    writeLocation();
    load();
  }

  function renderFacet(facet, counts) {
    const list = document.querySelector(`[data-facet="${facet}"] ul`);
    const values = counts ? [...counts.values] : [];
    // a selected value stays on screen (with its count, 0 if none) so it can be unselected
    for (const value of state[facet]) {
      if (!values.some((item) => item.value === value)) {
        values.push({ value, label: speakerNames.get(value) || value, count: 0 });
      }
    }
    const most = Math.max(1, ...values.map((item) => item.count));
    list.replaceChildren(
      ...values.map((item) => {
        const selected = state[facet].includes(item.value);
        const bar = element("span", { class: "bar", "aria-hidden": "true" });
        bar.style.width = `${(100 * item.count) / most}%`;
        const button = element(
          "button",
          { type: "button", "aria-pressed": String(selected), "data-value": item.value },
          element("span", { class: "label" }, item.label),
          element("span", { class: "count" }, String(item.count)),
          bar,
        );
        button.addEventListener("click", () => toggle(facet, item.value));
        return element("li", {}, button);
      }),
    );
    if (!values.length) list.replaceChildren(element("li", { class: "empty" }, "none"));
  }

  async function renderChart(timeline) {
    const rows = timeline.buckets.flatMap((bucket) => [
      { month: bucket.start, series: "statements", count: bucket.statements },
      { month: bucket.start, series: "events", count: bucket.events },
    ]);
    const spec = {
      description: "Statements and events per month for the selected speakers, kinds and event types",
      width: "container",
      height: 200,
      data: { values: rows },
      mark: { type: "bar" },
      encoding: {
        x: { field: "month", type: "temporal", timeUnit: "utcyearmonth", title: null },
        y: { field: "count", type: "quantitative", aggregate: "sum", title: "items" },
        color: { field: "series", type: "nominal", title: null, scale: { domain: ["statements", "events"] } },
        tooltip: [
          { field: "month", type: "temporal", timeUnit: "utcyearmonth", title: "month" },
          { field: "series", type: "nominal" },
          { field: "count", type: "quantitative", aggregate: "sum" },
        ],
      },
    };
    const note = [];
    const imprecise = timeline.imprecise.counts;
    if (imprecise.events || imprecise.statements) {
      note.push(
        `not drawn: ${count(imprecise.statements, "statement")} and ${count(imprecise.events, "event")} ` +
          "dated less precisely than a month",
      );
    }
    if (timeline.undated && timeline.undated.statements) {
      note.push(`${count(timeline.undated.statements, "undated statement")} not drawn`);
    }
    note.push("the chart follows the facet filters, not the text search (/v1/timeline has none)");
    if (state.speaker.length) {
      // /v1/timeline's entity filter is wider than the hits' speaker and participant filters
      note.push(
        "for a speaker it counts the statements by or about them and the events they take part in or happen at",
      );
    }
    byId("chart-note").textContent = note.join("; ") + ".";
    if (!window.vegaEmbed) {
      byId("chart").replaceChildren("The chart library is not installed (run make install).");
      return;
    }
    if (!rows.length) {
      byId("chart").replaceChildren("Nothing dated to a month matches.");
      return;
    }
    // ast: true runs Vega's expression interpreter (in vega-embed's bundle) instead of compiling
    // expressions with Function, so the page's Content-Security-Policy needs no 'unsafe-eval'.
    // No actions menu (it links to an online editor) and no default style (it injects a <style>).
    await window.vegaEmbed(byId("chart"), spec, {
      mode: "vega-lite",
      renderer: "svg",
      actions: false,
      defaultStyle: false,
      tooltip: false,
      ast: true,
    });
  }

  function hitItem(kind, item, snippet) {
    const heading =
      kind === "statement"
        ? `Statement · ${item.kind} · ${speakerNames.get(item.speaker) || item.speaker || "unknown speaker"}` +
          (item.said_on ? ` · ${item.said_on.value}` : "")
        : `Event · ${item.type} · ${item.date ? item.date.value : "undated"} · ${item.title}`;
    const text = element("p", { class: "text" });
    text.append(
      ...(snippet ? snippetNodes(snippet) : [kind === "statement" ? item.text : item.summary || ""]),
    );
    const span = kind === "statement" ? item : item.evidence && item.evidence[0];
    const label = kind === "statement" ? "Show in its article" : "Show its evidence in the article";
    const children = [element("p", { class: "heading" }, heading), text];
    if (span) {
      const button = element("button", { type: "button", class: "open", "data-id": item.id }, label);
      button.addEventListener("click", () => showSpan(span.article, span.start, span.end));
      children.push(button);
    }
    return element("li", { class: `hit ${kind}`, "data-id": item.id }, ...children);
  }

  function renderHits(statements, events, snippets) {
    const hits = [
      ...statements.data.map((item) => ["statement", item]),
      ...events.data.map((item) => ["event", item]),
    ];
    if (snippets) {
      // in the search's relevance order; hits beyond its window keep their list order, last
      const rank = (id) => (snippets.has(id) ? snippets.get(id).rank : Infinity);
      hits.sort((a, b) => rank(a[1].id) - rank(b[1].id));
    }
    byId("hits").replaceChildren(
      ...hits.map(([kind, item]) =>
        hitItem(kind, item, snippets && snippets.has(item.id) && snippets.get(item.id).snippet),
      ),
    );
    const more = statements.meta.count + events.meta.count - hits.length;
    byId("hits-title").textContent = more > 0 ? `Hits (first ${hits.length}, ${more} more)` : "Hits";
  }

  async function showSpan(articleId, start, end) {
    if (!articles.has(articleId))
      articles.set(articleId, get(`/articles/${encodeURIComponent(articleId)}`, []));
    let article;
    try {
      article = await articles.get(articleId);
    } catch (error) {
      articles.delete(articleId);
      byId("status").textContent = `Could not load article ${articleId}: ${error.message}`;
      return;
    }
    // start/end count Unicode code points; JavaScript strings index UTF-16 units, hence Array.from
    const characters = Array.from(article.body);
    const mark = element("mark", { id: "span", class: "span" }, characters.slice(start, end).join(""));
    byId("article-body").replaceChildren(
      characters.slice(0, start).join(""),
      mark,
      characters.slice(end).join(""),
    );
    byId("article-title").textContent = article.title;
    const published = article.published ? `published ${article.published.value}` : "undated";
    const meta = [article.outlet, published, `characters ${start}–${end} highlighted`];
    byId("article-meta").textContent = meta.filter(Boolean).join(" · ");
    byId("article").hidden = false;
    mark.scrollIntoView({ block: "center" });
    byId("article-body").focus({ preventScroll: true });
  }

  async function load() {
    const current = ++generation;
    const speaker = state.speaker;
    byId("status").textContent = "Loading…";
    try {
      const [statements, events, timeline, search] = await Promise.all([
        get("/statements", [
          ["q", state.q],
          ["speaker", speaker],
          ["kind", state.kind],
          ["facets", "speaker,kind"],
          ["facet_size", FACET_SIZE],
          ["limit", HITS],
        ]),
        get("/events", [
          ["q", state.q],
          ["participant", speaker],
          ["type", state.type],
          ["facets", "type"],
          ["facet_size", FACET_SIZE],
          ["limit", HITS],
        ]),
        get("/timeline", [
          ["interval", "month"],
          ["entity", speaker],
          ["kind", state.kind],
          ["event_type", state.type],
        ]),
        state.q
          ? get("/search", [
              ["q", state.q],
              ["type", ["statement", "event"]],
              ["limit", SEARCH_WINDOW],
            ])
          : null,
      ]);
      if (current !== generation) return;
      for (const item of statements.meta.facets.speaker.values) speakerNames.set(item.value, item.label);
      renderFacet("speaker", statements.meta.facets.speaker);
      renderFacet("kind", statements.meta.facets.kind);
      renderFacet("type", events.meta.facets.type);
      const snippets =
        search && new Map(search.data.map((hit, rank) => [hit.id, { snippet: hit.snippet, rank }]));
      renderHits(statements, events, snippets);
      const about = state.q ? ` for “${state.q}”` : "";
      byId("status").textContent =
        `${count(statements.meta.count, "statement")} and ${count(events.meta.count, "event")}${about}.`;
      await renderChart(timeline);
    } catch (error) {
      if (current === generation) byId("status").textContent = `Error: ${error.message}`;
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    readLocation();
    byId("search").addEventListener("submit", (event) => {
      event.preventDefault();
      state.q = byId("q").value.trim();
      writeLocation();
      load();
    });
    byId("clear").addEventListener("click", () => {
      for (const facet of FACETS) state[facet] = [];
      writeLocation();
      load();
    });
    load();
  });
})();
