/* Run history: filters kept in the address (log-filters.js), full-text search, sorting,
   pages, stars and notes (run-marks.js), saved filters (log-presets.js) and bulk work
   (logs-bulk.js). Admins may also list another user's runs, or everyone's. */
(function () {
  "use strict";

  const form = document.getElementById("sm-log-filters");
  const rows = document.getElementById("sm-log-rows");
  const DEFAULTS = { page: 1, sort: "start_time", order: "desc" };
  const state = { ...DEFAULTS, perPage: 25, total: 0 };
  let projects = {};
  let timer = null;
  let bulk = null;
  let loads = 0; // only the answer of the latest request is shown

  function cell(content) {
    const td = document.createElement("td");
    if (typeof content === "string") td.textContent = content;
    else td.appendChild(content);
    return td;
  }

  /* The list's address: the caller's runs, or (admins) one user's or everyone's. */
  function listUrl(params) {
    const scope = params.get("user_id");
    if (!scope) return "/api/logs/execution?" + params;
    if (scope === "all") params.delete("user_id");
    return "/api/admin/logs/execution?" + params;
  }

  function runRow(run, labelled) {
    const row = document.createElement("tr");
    row.dataset.executionId = run.execution_id;
    const link = document.createElement("a");
    link.href = "/logs/" + run.execution_id;
    link.textContent = run.script_name || run.execution_id;
    const script = document.createElement("div");
    script.appendChild(link);
    const note = SM.runMarks.excerpt(run);
    if (note) script.appendChild(note);
    const status = document.createElement("span");
    SM.statusBadge(status, run.status);
    row.append(bulk.checkbox(run), cell(SM.runMarks.star(run)), cell(script));
    if (labelled) row.append(cell(run.username || "—"));
    row.append(
      cell((labelled ? run.project_name : projects[run.project_id]) || "—"),
      cell(new Date(run.start_time).toLocaleString(document.documentElement.lang)),
      cell(run.duration_seconds === null ? "—" : SM.formatDuration(run.duration_seconds)),
      cell(status),
    );
    return row;
  }

  async function load() {
    const params = new URLSearchParams({ page: state.page, per_page: state.perPage, sort: state.sort, order: state.order });
    for (const [key, value] of Object.entries(SM.logFilters.values(form))) params.set(key, value);
    const labelled = params.has("user_id");
    SM.logFilters.toUrl(form, state, DEFAULTS);
    const ticket = ++loads;
    let data;
    try {
      data = await SM.api.get(listUrl(params));
    } catch (error) {
      SM.toast(error.message, "danger");
      return;
    }
    if (ticket !== loads) return;
    state.total = data.total;
    document.getElementById("sm-log-user-col").classList.toggle("d-none", !labelled);
    rows.replaceChildren(...data.items.map((run) => runRow(run, labelled)));
    bulk.loaded(data.items, data.total, data.total_is_lower_bound);
    document.getElementById("sm-log-empty").classList.toggle("d-none", data.items.length > 0);
    showCount(data);
  }

  /* "1–25 of 120", or "1–25 of 10,000+" when the total was counted up to a cap only: then a
     full page may have more after it. */
  function showCount(data) {
    const skipped = (state.page - 1) * state.perPage;
    const first = data.items.length ? skipped + 1 : 0;
    const last = skipped + data.items.length;
    const total = data.total.toLocaleString(document.documentElement.lang || "en");
    const key = data.total_is_lower_bound ? "logs.count_at_least" : "logs.count";
    document.getElementById("sm-log-count").textContent = SM.t(key, { first, last, total });
    document.getElementById("sm-log-prev").disabled = state.page <= 1;
    const more = data.total_is_lower_bound ? data.items.length === state.perPage : last < data.total;
    document.getElementById("sm-log-next").disabled = !more;
  }

  function reload() {
    state.page = 1;
    bulk.reset();
    clearTimeout(timer);
    timer = setTimeout(load, 250);
  }

  form.addEventListener("input", (event) => {
    if (event.target.name) reload(); // not the name of a preset being typed
  });
  form.addEventListener("reset", reload); // reload reads the form after the reset
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    reload();
  });
  document.querySelectorAll(".sm-sort").forEach((button) => {
    button.addEventListener("click", () => {
      if (state.sort === button.dataset.sort) state.order = state.order === "desc" ? "asc" : "desc";
      else Object.assign(state, { sort: button.dataset.sort, order: "desc" });
      load();
    });
  });
  document.getElementById("sm-log-prev").addEventListener("click", () => {
    state.page -= 1;
    load();
  });
  document.getElementById("sm-log-next").addEventListener("click", () => {
    state.page += 1;
    load();
  });

  function currentFilters() {
    const filters = SM.logFilters.values(form);
    if (state.sort !== DEFAULTS.sort) filters.sort = state.sort;
    if (state.order !== DEFAULTS.order) filters.order = state.order;
    return filters;
  }

  function applyFilters(filters) {
    const { sort, order, ...fields } = filters;
    clearTimeout(timer);
    SM.logFilters.fill(form, fields);
    Object.assign(state, { page: 1, sort: sort || DEFAULTS.sort, order: order || DEFAULTS.order });
    bulk.reset();
    load();
  }

  const initial = SM.logFilters.fromUrl(DEFAULTS);
  Object.assign(state, initial.view);
  bulk = SM.logsBulk.init({ filters: () => SM.logFilters.values(form), reload: load });
  SM.logPresets.init({ current: currentFilters, apply: applyFilters });
  SM.logFilters
    .fillChoices(form)
    .then((names) => (projects = names))
    .catch((error) => SM.toast(error.message, "danger"))
    .finally(() => {
      SM.logFilters.fill(form, initial.filters);
      load();
    });
})();
