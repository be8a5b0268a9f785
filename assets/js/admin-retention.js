/* Log retention: statistics, the days kept per level, and a clean-up previewed first. */
(function () {
  "use strict";

  const LEVELS = ["viewer", "operator", "developer", "admin"];
  const daysForm = document.getElementById("sm-ret-days");
  const cleanupButton = document.getElementById("sm-ret-cleanup");
  const confirmModal = bootstrap.Modal.getOrCreateInstance(document.getElementById("sm-ret-confirm"));
  let preview = null; // the latest preview's answer
  let users = null; // the per-user table, built on the first preview

  function bytes(value) {
    const units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let size = value;
    let unit = 0;
    while (size >= 1024 && unit < units.length - 1) {
      size /= 1024;
      unit += 1;
    }
    return (unit ? size.toFixed(1) : String(size)) + " " + units[unit];
  }

  function showStats(stats) {
    const values = {
      total: String(stats.total),
      success_rate: stats.success_rate === null ? "—" : Math.round(stats.success_rate * 100) + " %",
      average_duration_seconds:
        stats.average_duration_seconds === null ? "—" : SM.t("admin.retention.seconds", { value: stats.average_duration_seconds }),
      storage_bytes: bytes(stats.storage_bytes),
    };
    for (const [name, text] of Object.entries(values)) {
      document.querySelector('[data-stat="' + name + '"]').textContent = text;
    }
  }

  function showDays(data) {
    for (const level of LEVELS) {
      const input = document.getElementById("ret-" + level);
      input.value = data.days[level];
      input.disabled = level in data.locked;
      const hint = document.querySelector('[data-locked="' + level + '"]');
      hint.textContent = level in data.locked ? SM.t("admin.retention.locked", { variable: data.locked[level] }) : "";
      hint.classList.toggle("d-none", !(level in data.locked));
    }
  }

  async function loadOverview() {
    try {
      const data = await SM.api.get("/api/admin/retention");
      showStats(data.stats);
      showDays(data);
    } catch (error) {
      SM.toast(error.message, "danger");
    }
  }

  daysForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const days = {};
    for (const level of LEVELS) {
      const input = document.getElementById("ret-" + level);
      if (!input.disabled) days[level] = Number(input.value);
    }
    try {
      showDays(await SM.api.put("/api/admin/retention", { days }));
      SM.toast(SM.t("admin.retention.saved"), "success");
      if (preview) users.reload();
    } catch (error) {
      SM.toast(error.message, "danger");
    }
  });

  function showPreview(data) {
    preview = data;
    document.getElementById("sm-ret-summary-text").textContent =
      data.runs > 0
        ? SM.t("admin.retention.would_remove", { runs: data.runs, size: bytes(data.bytes) })
        : SM.t("admin.retention.nothing");
    document.getElementById("sm-ret-summary").dataset.runs = data.runs;
    const rows = LEVELS.map((level) => {
      const tr = document.createElement("tr");
      tr.dataset.level = level;
      tr.append(
        SM.cell(SM.t("level." + level), "fw-semibold"),
        SM.cell(SM.t("admin.retention.days_value", { days: data.days[level] }), "text-end"),
        SM.cell(String(data.levels[level].runs), "text-end"),
        SM.cell(bytes(data.levels[level].bytes), "text-end"),
      );
      return tr;
    });
    document.getElementById("sm-ret-levels-body").replaceChildren(...rows);
    document.getElementById("sm-ret-details").classList.remove("d-none");
    cleanupButton.disabled = data.runs === 0;
  }

  function userRow(user) {
    const tr = document.createElement("tr");
    tr.append(
      SM.cell(user.username, "fw-semibold"),
      SM.cell(SM.t("level." + user.level)),
      SM.cell(String(user.runs), "text-end"),
      SM.cell(bytes(user.bytes), "text-end"),
    );
    return tr;
  }

  document.getElementById("sm-ret-preview").addEventListener("click", () => {
    if (users) return users.reload();
    users = SM.pagedTable({
      body: document.getElementById("sm-ret-users-body"),
      pager: document.getElementById("sm-ret-users-pager"),
      filters: document.getElementById("sm-ret-user-filters"),
      url: "/api/admin/retention/preview",
      perPage: 10,
      row: userRow,
      empty: SM.t("admin.retention.nothing"),
      loaded: showPreview,
    });
  });

  cleanupButton.addEventListener("click", () => {
    document.getElementById("sm-ret-confirm-text").textContent = SM.t("admin.retention.confirm", {
      runs: preview.runs,
      size: bytes(preview.bytes),
    });
    confirmModal.show();
  });

  document.getElementById("sm-ret-confirm-go").addEventListener("click", async () => {
    confirmModal.hide();
    cleanupButton.disabled = true;
    try {
      const result = await SM.api.post("/api/logs/cleanup");
      SM.toast(SM.t("admin.retention.removed", { runs: result.removed }), "success");
    } catch (error) {
      SM.toast(error.message, "danger");
    }
    loadOverview();
    users.reload();
  });

  loadOverview();
})();
