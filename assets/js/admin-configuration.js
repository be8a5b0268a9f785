/* Configuration: every setting's effective value, where it came from, and what it does. */
(function () {
  "use strict";

  const SOURCES = {
    environment: "text-bg-primary",
    "config.json": "text-bg-info",
    default: "text-bg-secondary",
    override: "text-bg-warning",
  };

  function plain(value, unit) {
    if (value === null || value === undefined || value === "") return null;
    return String(value) + (unit ? " " + unit : "");
  }

  function nameCell(item) {
    const td = SM.cell(item.env, "font-monospace fw-semibold text-break");
    if (item.json_path) {
      const key = document.createElement("div");
      key.className = "small text-body-secondary text-break";
      key.textContent = "config.json: " + item.json_path;
      td.append(key);
    }
    return td;
  }

  function valueCell(item) {
    if (item.secret) {
      const badge = document.createElement("span");
      badge.className = "badge text-bg-dark";
      badge.innerHTML = '<i class="bi bi-eye-slash"></i> ';
      badge.append(SM.t("admin.config.hidden"));
      return SM.cell(badge);
    }
    const td = SM.cell(plain(item.value, item.unit), "font-monospace small text-break");
    if (item.source !== "default" && plain(item.default, item.unit) !== null) {
      const fallback = document.createElement("div");
      fallback.className = "text-body-secondary";
      fallback.textContent = SM.t("admin.config.default", { value: plain(item.default, item.unit) });
      td.append(fallback);
    }
    return td;
  }

  function sourceCell(item) {
    const badge = document.createElement("span");
    badge.className = "badge " + (SOURCES[item.source] || "text-bg-secondary");
    badge.textContent = SM.t("admin.config.source_" + item.source.replace(".", "_"));
    return SM.cell(badge);
  }

  SM.pagedTable({
    body: document.getElementById("sm-config-body"),
    pager: document.getElementById("sm-config-pager"),
    filters: document.getElementById("sm-config-filters"),
    url: "/api/admin/configuration",
    perPage: 100,
    row: (item) => {
      const tr = document.createElement("tr");
      tr.dataset.setting = item.name;
      tr.append(nameCell(item), valueCell(item), sourceCell(item), SM.cell(item.help, "small"));
      return tr;
    },
  });
})();
