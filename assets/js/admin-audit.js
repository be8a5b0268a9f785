/* Audit log: who did what to which target, and when; filtered and paginated. */
(function () {
  "use strict";

  function details(value) {
    const entries = Object.entries(value || {});
    if (!entries.length) return null;
    const code = document.createElement("code");
    code.className = "sm-audit-details small";
    code.textContent = entries.map(([key, item]) => key + "=" + JSON.stringify(item)).join(" ");
    return code;
  }

  function action(event) {
    const wrapper = document.createElement("span");
    const code = document.createElement("code");
    code.textContent = event.action;
    wrapper.append(code);
    if (event.scope === "admin") {
      const badge = document.createElement("span");
      badge.className = "badge text-bg-warning ms-2";
      badge.textContent = SM.t("level.admin");
      wrapper.append(badge);
    }
    return wrapper;
  }

  SM.pagedTable({
    body: document.getElementById("sm-audit-body"),
    pager: document.getElementById("sm-audit-pager"),
    filters: document.getElementById("sm-audit-filters"),
    url: "/api/admin/logs/audit",
    perPage: 50,
    row: (event) => {
      const tr = document.createElement("tr");
      tr.append(
        SM.cell(SM.localTime(event.time), "small text-nowrap"),
        SM.cell(event.username, "fw-semibold"),
        SM.cell(action(event), "text-nowrap"),
        SM.cell(event.target, "font-monospace small text-break"),
        SM.cell(details(event.details) || "", "text-break"),
        SM.cell(event.remote_addr, "font-monospace small"),
      );
      return tr;
    },
    empty: SM.t("table.empty"),
  });
})();
