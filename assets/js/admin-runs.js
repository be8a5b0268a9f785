/* All runs: every user's live and past runs, filtered, with a link to watch a live one. */
(function () {
  "use strict";

  const REFRESH_MS = 5000; // while a shown run is live, the list follows it
  const form = document.getElementById("sm-runs-filters");
  let refresh = null;

  function option(value, label) {
    const element = document.createElement("option");
    element.value = value;
    element.textContent = label;
    return element;
  }

  async function fillChoices() {
    try {
      const [users, scripts] = await Promise.all([
        SM.api.get("/api/admin/users?per_page=200"),
        SM.api.get("/api/admin/scripts?per_page=200"),
      ]);
      document.getElementById("runs-user").append(...users.items.map((u) => option(u.id, u.username)));
      document
        .getElementById("runs-script")
        .append(...scripts.items.map((s) => option(s.id, s.group_name + " · " + s.display_name)));
    } catch (error) {
      SM.toast(error.message, "danger");
    }
  }

  function actionLink(run) {
    const live = run.status === "running";
    const link = document.createElement("a");
    link.href = "/logs/" + run.execution_id;
    link.className = "btn btn-sm " + (live ? "btn-primary" : "btn-outline-secondary");
    link.innerHTML = '<i class="bi ' + (live ? "bi-broadcast" : "bi-file-earmark-text") + '"></i> ';
    link.append(SM.t(live ? "admin.runs.watch" : "admin.runs.open"));
    return link;
  }

  function row(run) {
    const tr = document.createElement("tr");
    tr.dataset.executionId = run.execution_id;
    const status = document.createElement("span");
    SM.statusBadge(status, run.status);
    const duration = run.duration_seconds === null ? null : SM.formatDuration(run.duration_seconds);
    tr.append(
      SM.cell(run.script_name, "fw-semibold"),
      SM.cell(run.username),
      SM.cell(run.project_name),
      SM.cell(status),
      SM.cell(SM.localTime(run.start_time), "small text-nowrap"),
      SM.cell(duration, "text-nowrap"),
      SM.cell(actionLink(run), "text-end text-nowrap"),
    );
    if (run.status === "running" && refresh === null) {
      refresh = setTimeout(() => {
        refresh = null;
        table.reload();
      }, REFRESH_MS);
    }
    return tr;
  }

  const table = SM.pagedTable({
    body: document.getElementById("sm-runs-body"),
    pager: document.getElementById("sm-runs-pager"),
    filters: form,
    url: "/api/admin/logs/execution",
    perPage: 25,
    row,
    empty: SM.t("logs.empty"),
  });
  document.getElementById("sm-runs-refresh").addEventListener("click", () => table.reload());
  fillChoices();
})();
