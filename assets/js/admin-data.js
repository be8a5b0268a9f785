/* Data folders: disk use per user (with quota and state) and per project folder, filtered
   by user name, and each user's data reset. */
(function () {
  "use strict";

  const filters = document.getElementById("sm-data-filters");

  function userCell(item) {
    const box = document.createElement("div");
    const name = document.createElement("div");
    name.className = "fw-semibold";
    name.textContent = item.username;
    const level = document.createElement("div");
    level.className = "small text-body-secondary";
    level.textContent = SM.t("level." + item.user_level);
    if (!item.is_active) level.textContent += " · " + SM.t("users.inactive");
    box.append(name, level);
    return box;
  }

  function quotaCell(item) {
    const box = document.createElement("div");
    const own = item.storage_quota_mb !== null;
    const limited = item.quota_bytes !== null;
    box.textContent = limited ? SM.bytes(item.quota_bytes) : SM.t("storage.no_quota");
    const origin = document.createElement("div");
    origin.className = "small text-body-secondary";
    origin.textContent = own ? SM.t("storage.own_quota") : SM.t("storage.from_default");
    box.appendChild(origin);
    return box;
  }

  function useCell(item) {
    const box = document.createElement("div");
    box.className = "d-flex align-items-center gap-2";
    if (item.quota_bytes !== null) {
      const bar = SM.usageBar(item);
      bar.classList.add("flex-grow-1");
      const percent = document.createElement("span");
      percent.className = "small text-nowrap";
      percent.textContent = item.percent.toLocaleString(document.documentElement.lang) + " %";
      box.append(bar, percent);
    }
    box.appendChild(SM.storageBadge(item.state));
    if (!item.complete) {
      const warning = document.createElement("i");
      warning.className = "bi bi-exclamation-triangle text-warning";
      warning.title = SM.t("storage.incomplete");
      box.appendChild(warning);
    }
    return box;
  }

  function resetButton(item) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-sm btn-outline-danger";
    button.dataset.action = "reset";
    button.title = SM.t("users.reset_data");
    button.setAttribute("aria-label", SM.t("users.reset_data") + " · " + item.username);
    button.innerHTML = '<i class="bi bi-arrow-counterclockwise"></i>';
    button.addEventListener("click", () => resetData(item));
    return button;
  }

  function userRow(item) {
    const tr = document.createElement("tr");
    tr.dataset.userId = item.user_id;
    tr.dataset.username = item.username;
    tr.dataset.state = item.state;
    tr.append(
      SM.cell(userCell(item)),
      SM.cell(SM.bytes(item.data_bytes), "text-end text-nowrap"),
      SM.cell(SM.bytes(item.log_bytes), "text-end text-nowrap"),
      SM.cell(SM.bytes(item.used_bytes), "text-end text-nowrap fw-semibold"),
      SM.cell(quotaCell(item), "text-nowrap"),
      SM.cell(useCell(item), "sm-usage-column"),
      SM.cell(resetButton(item), "text-end"),
    );
    return tr;
  }

  function projectCell(item) {
    if (item.project_id === null) return item.project;
    const link = document.createElement("a");
    link.href = "/projects/" + item.group_id + "/" + item.project_id;
    link.title = SM.t("project_files.open");
    link.textContent = item.project;
    return link;
  }

  function projectRow(item) {
    const tr = document.createElement("tr");
    tr.append(
      SM.cell(item.username, "fw-semibold"),
      SM.cell(item.group, "font-monospace small"),
      SM.cell(projectCell(item), "font-monospace small"),
      SM.cell(SM.bytes(item.bytes), "text-end text-nowrap"),
    );
    return tr;
  }

  const users = SM.pagedTable({
    body: document.getElementById("sm-data-users-body"),
    pager: document.getElementById("sm-data-users-pager"),
    filters,
    url: "/api/admin/data/usage",
    perPage: 25,
    row: userRow,
    empty: SM.t("storage.no_users"),
  });
  const projects = SM.pagedTable({
    body: document.getElementById("sm-data-projects-body"),
    pager: document.getElementById("sm-data-projects-pager"),
    filters,
    url: "/api/admin/data/projects",
    perPage: 25,
    row: projectRow,
    empty: SM.t("storage.no_projects"),
  });

  function reloadAll() {
    return Promise.all([users.reload(), projects.reload()]);
  }

  async function resetData(item) {
    if (!window.confirm(SM.t("users.confirm_reset", { name: item.username }))) return;
    try {
      await SM.api.post("/api/admin/users/" + item.user_id + "/reset-data");
      SM.toast(SM.t("users.reset_done"), "success");
    } catch (error) {
      SM.toast(error.message, "danger");
    }
    await reloadAll();
  }

  document.getElementById("sm-data-refresh").addEventListener("click", reloadAll);
})();
