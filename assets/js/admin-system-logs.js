/* System logs: the manager's application, error and access logs, newest record first. */
(function () {
  "use strict";

  const BADGES = {
    DEBUG: "text-bg-secondary",
    INFO: "text-bg-info",
    WARNING: "text-bg-warning",
    ERROR: "text-bg-danger",
    CRITICAL: "text-bg-danger",
  };
  const name = document.getElementById("syslog-name");
  const level = document.getElementById("syslog-level");

  function levelBadge(value) {
    if (!value) return null;
    const badge = document.createElement("span");
    badge.className = "badge " + BADGES[value];
    badge.textContent = value;
    return badge;
  }

  // The time and level have their own columns: the record's text need not repeat them.
  function withoutPrefix(record) {
    const prefix = record.time + " " + record.level + " ";
    return record.time && record.text.startsWith(prefix) ? record.text.slice(prefix.length) : record.text;
  }

  function message(text) {
    const pre = document.createElement("pre");
    pre.className = "sm-log-record mb-0";
    pre.textContent = text;
    return pre;
  }

  // The access log has no levels: its level filter is off (and sent empty).
  function syncLevel() {
    const leveled = name.value !== "access";
    level.disabled = !leveled;
    if (!leveled) level.value = "";
  }
  name.addEventListener("change", syncLevel, true);
  syncLevel();

  const table = SM.pagedTable({
    body: document.getElementById("sm-syslog-body"),
    pager: document.getElementById("sm-syslog-pager"),
    filters: document.getElementById("sm-syslog-filters"),
    url: "/api/admin/logs/system",
    perPage: 50,
    row: (record) => {
      const tr = document.createElement("tr");
      tr.append(
        SM.cell(record.time, "small text-nowrap font-monospace align-top"),
        SM.cell(levelBadge(record.level), "align-top"),
        SM.cell(message(withoutPrefix(record))),
      );
      return tr;
    },
    empty: SM.t("admin.syslog.empty"),
  });
  document.getElementById("sm-syslog-refresh").addEventListener("click", () => table.reload());
})();
