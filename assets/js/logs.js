/* Run history: filters, full-text search, sorting and pages. */
(function () {
  "use strict";

  const form = document.getElementById("sm-log-filters");
  const rows = document.getElementById("sm-log-rows");
  const state = { page: 1, perPage: 25, sort: "start_time", order: "desc", total: 0 };
  let projects = {};
  let timer = null;

  function cell(content) {
    const td = document.createElement("td");
    if (typeof content === "string") td.textContent = content;
    else td.appendChild(content);
    return td;
  }

  async function load() {
    const params = new URLSearchParams({ page: state.page, per_page: state.perPage, sort: state.sort, order: state.order });
    new FormData(form).forEach((value, key) => {
      if (value) params.set(key, value);
    });
    let data;
    try {
      data = await SM.api.get("/api/logs/execution?" + params.toString());
    } catch (error) {
      SM.toast(error.message, "danger");
      return;
    }
    state.total = data.total;
    rows.replaceChildren(
      ...data.items.map((run) => {
        const row = document.createElement("tr");
        const link = document.createElement("a");
        link.href = "/logs/" + run.execution_id;
        link.textContent = run.script_name || run.execution_id;
        const status = document.createElement("span");
        SM.statusBadge(status, run.status);
        row.append(
          cell(link),
          cell(projects[run.project_id] || "—"),
          cell(new Date(run.start_time).toLocaleString(document.documentElement.lang)),
          cell(run.duration_seconds === null ? "—" : SM.formatDuration(run.duration_seconds)),
          cell(status),
        );
        return row;
      }),
    );
    document.getElementById("sm-log-empty").classList.toggle("d-none", data.items.length > 0);
    const first = data.total ? (state.page - 1) * state.perPage + 1 : 0;
    const last = Math.min(state.page * state.perPage, data.total);
    document.getElementById("sm-log-count").textContent = SM.t("logs.count", { first, last, total: data.total });
    document.getElementById("sm-log-prev").disabled = state.page <= 1;
    document.getElementById("sm-log-next").disabled = last >= data.total;
  }

  function reload() {
    state.page = 1;
    clearTimeout(timer);
    timer = setTimeout(load, 250);
  }

  form.addEventListener("input", reload);
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

  SM.api
    .get("/api/projects")
    .then((data) => {
      projects = Object.fromEntries(data.items.map((project) => [project.id, project.project_name]));
    })
    .finally(load);
})();
