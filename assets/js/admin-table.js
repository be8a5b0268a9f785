/* Admin console tables: filters, pages and rows from a paginated JSON collection.

   SM.pagedTable({
     body: <tbody>, pager: <element>, filters: <form> (optional),
     url: "/api/..." or () => "/api/...", perPage: 25,
     row: (item) => <tr>, empty: "text shown when nothing matches",
     loaded: (data) => {} (optional: the whole answer, after each load),
   }) → { reload(), page() }
   The collection answers {items, total, page, per_page}; every named, non-empty field of
   the filter form becomes a query argument, and changing one goes back to page 1. */
(function () {
  "use strict";

  function cell(content, className) {
    const td = document.createElement("td");
    if (className) td.className = className;
    if (content instanceof Node) td.appendChild(content);
    else td.textContent = content === null || content === undefined || content === "" ? "—" : String(content);
    return td;
  }

  function localTime(value) {
    return value ? new Date(value).toLocaleString(document.documentElement.lang) : "—";
  }

  function pagedTable(options) {
    const state = { page: 1, perPage: options.perPage || 25, total: 0 };
    const pager = options.pager;
    const info = document.createElement("span");
    info.className = "small text-body-secondary";
    const prev = button("bi-chevron-left", SM.t("table.previous"), () => go(state.page - 1));
    const next = button("bi-chevron-right", SM.t("table.next"), () => go(state.page + 1));
    const group = document.createElement("div");
    group.className = "btn-group btn-group-sm";
    group.append(prev, next);
    pager.classList.add("d-flex", "justify-content-between", "align-items-center", "p-2");
    pager.replaceChildren(info, group);

    function button(icon, label, onClick) {
      const element = document.createElement("button");
      element.type = "button";
      element.className = "btn btn-outline-secondary";
      element.setAttribute("aria-label", label);
      element.title = label;
      element.innerHTML = '<i class="bi ' + icon + '"></i>';
      element.addEventListener("click", onClick);
      return element;
    }

    function query() {
      const params = new URLSearchParams({ page: state.page, per_page: state.perPage });
      if (options.filters) {
        for (const [name, value] of new FormData(options.filters)) {
          if (String(value).trim() !== "") params.set(name, String(value).trim());
        }
      }
      const base = typeof options.url === "function" ? options.url() : options.url;
      return base + (base.includes("?") ? "&" : "?") + params;
    }

    async function load() {
      let data;
      try {
        data = await SM.api.get(query());
      } catch (error) {
        SM.toast(error.message, "danger");
        return;
      }
      state.total = data.total;
      const rows = data.items.map(options.row);
      if (!rows.length) {
        const tr = document.createElement("tr");
        const td = cell(options.empty || SM.t("table.empty"), "text-body-secondary");
        td.colSpan = 99;
        tr.appendChild(td);
        rows.push(tr);
      }
      options.body.replaceChildren(...rows);
      if (options.loaded) options.loaded(data);
      // A total counted up to a cap only (total_is_lower_bound) reads "10,000+", and a full
      // page may have more after it.
      const skipped = (state.page - 1) * state.perPage;
      const first = data.items.length ? skipped + 1 : 0;
      const last = skipped + data.items.length;
      const total = data.total.toLocaleString(document.documentElement.lang || "en");
      const key = data.total_is_lower_bound ? "table.count_at_least" : "table.count";
      info.textContent = SM.t(key, { first, last, total });
      prev.disabled = state.page <= 1;
      next.disabled = data.total_is_lower_bound ? data.items.length < state.perPage : last >= data.total;
    }

    function go(page) {
      state.page = Math.max(1, page);
      return load();
    }

    if (options.filters) {
      let timer = null;
      options.filters.addEventListener("submit", (event) => {
        event.preventDefault();
        go(1);
      });
      options.filters.addEventListener("change", () => go(1));
      options.filters.addEventListener("input", () => {
        clearTimeout(timer);
        timer = setTimeout(() => go(1), 300);
      });
    }
    load();
    return { reload: load, page: () => state.page };
  }

  SM.pagedTable = pagedTable;
  SM.cell = cell;
  SM.localTime = localTime;
})();
