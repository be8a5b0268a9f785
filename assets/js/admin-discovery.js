/* Discovery: the last scan of the script groups, what it found wrong, and a rescan. */
(function () {
  "use strict";

  const button = document.getElementById("sm-scan");
  const spinner = document.getElementById("sm-scan-spinner");
  const icon = document.getElementById("sm-scan-icon");
  const state = document.getElementById("sm-scan-state");

  function showReport(report, scanning) {
    if (scanning) state.textContent = SM.t("admin.discovery.scanning");
    else if (report) state.textContent = SM.t("admin.discovery.last", { time: SM.localTime(report.finished_at) });
    else state.textContent = SM.t("admin.discovery.never");
    for (const element of document.querySelectorAll("[data-report]")) {
      const value = report ? report[element.dataset.report] : null;
      element.textContent = value === null || value === undefined ? "—" : String(value);
      if (element.dataset.report === "problems") element.classList.toggle("text-danger", Boolean(value));
    }
  }

  function link(problem) {
    const anchor = document.createElement("a");
    anchor.href = (problem.kind === "group" ? "/groups/" : "/scripts/") + problem.id;
    anchor.textContent = problem.name;
    return anchor;
  }

  function warnings(list) {
    const ul = document.createElement("ul");
    ul.className = "mb-0 ps-3 small";
    for (const text of list) {
      const li = document.createElement("li");
      li.textContent = text;
      ul.append(li);
    }
    return ul;
  }

  const table = SM.pagedTable({
    body: document.getElementById("sm-problem-body"),
    pager: document.getElementById("sm-problem-pager"),
    filters: document.getElementById("sm-problem-filters"),
    url: "/api/admin/discovery",
    perPage: 25,
    row: (problem) => {
      const tr = document.createElement("tr");
      const kind = document.createElement("span");
      kind.className = "badge " + (problem.kind === "group" ? "text-bg-primary" : "text-bg-secondary");
      kind.textContent = SM.t(problem.kind === "group" ? "admin.group" : "logs.script");
      tr.append(
        SM.cell(kind, "align-top"),
        SM.cell(link(problem), "fw-semibold align-top"),
        SM.cell(problem.path, "font-monospace small align-top text-break"),
        SM.cell(warnings(problem.warnings)),
      );
      return tr;
    },
    empty: SM.t("admin.discovery.no_problems"),
    loaded: (data) => showReport(data.last_scan, data.scanning),
  });

  function busy(on) {
    button.disabled = on;
    spinner.classList.toggle("d-none", !on);
    icon.classList.toggle("d-none", on);
    if (on) state.textContent = SM.t("admin.discovery.scanning");
  }

  button.addEventListener("click", async () => {
    busy(true);
    try {
      const data = await SM.api.post("/api/admin/discovery/scan");
      showReport(data.last_scan, false);
      SM.toast(SM.t("admin.discovery.done", { problems: data.last_scan.problems }), "success");
    } catch (error) {
      SM.toast(error.message, "danger");
    } finally {
      busy(false);
    }
    table.reload();
  });
})();
