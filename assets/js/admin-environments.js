/* Environments: the interpreters found, a new detection, and each group's interpreter. */
(function () {
  "use strict";

  const MANAGER = "manager";
  const message = document.getElementById("sm-env-message");
  let choices = []; // every available interpreter, for the groups' selects

  function showMessage(text) {
    message.textContent = text || "";
    message.classList.toggle("d-none", !text);
  }

  function statusBadge(env) {
    const badge = document.createElement("span");
    badge.className = "badge " + (env.available ? "text-bg-success" : "text-bg-secondary");
    badge.textContent = SM.t(env.available ? "admin.env.available" : "admin.env.unavailable");
    return badge;
  }

  const envTable = SM.pagedTable({
    body: document.getElementById("sm-env-body"),
    pager: document.getElementById("sm-env-pager"),
    filters: document.getElementById("sm-env-filters"),
    url: "/api/admin/environments",
    perPage: 25,
    row: (env) => {
      const tr = document.createElement("tr");
      tr.append(
        SM.cell(env.name, "fw-semibold"),
        SM.cell(SM.t("admin.env.kind_" + env.kind)),
        SM.cell(env.python_version, "font-monospace"),
        SM.cell(env.path, "font-monospace small text-break"),
        SM.cell(statusBadge(env)),
      );
      return tr;
    },
  });

  function option(value, label) {
    const element = document.createElement("option");
    element.value = value;
    element.textContent = label;
    return element;
  }

  async function assign(group, select) {
    select.disabled = true;
    try {
      await SM.api.post("/api/script-groups/" + group.id + "/conda", {
        environment: select.value === MANAGER ? null : select.value,
      });
      SM.toast(SM.t("admin.env.assigned_to", { group: group.name }), "success");
    } catch (error) {
      SM.toast(error.message, "danger");
    }
    groupTable.reload();
  }

  function groupSelect(group) {
    const select = document.createElement("select");
    select.className = "form-select form-select-sm";
    select.setAttribute("aria-label", SM.t("admin.env.assigned") + ": " + group.name);
    select.append(option(MANAGER, SM.t("admin.env.manager_python")));
    for (const env of choices) if (env.kind !== MANAGER) select.append(option(env.name, env.name));
    const current = group.conda_environment || MANAGER;
    if (![...select.options].some((o) => o.value === current)) select.append(option(current, current));
    select.value = current;
    select.addEventListener("change", () => assign(group, select));
    return select;
  }

  let groupTable = null; // built once the interpreters are known (its selects list them)
  const groupOptions = {
    body: document.getElementById("sm-envgroup-body"),
    pager: document.getElementById("sm-envgroup-pager"),
    filters: document.getElementById("sm-envgroup-filters"),
    url: "/api/admin/groups",
    perPage: 25,
    row: (group) => {
      const tr = document.createElement("tr");
      tr.dataset.groupId = group.id;
      tr.append(
        SM.cell(group.name, "fw-semibold"),
        SM.cell(group.folder, "font-monospace small"),
        SM.cell(groupSelect(group)),
      );
      return tr;
    },
  };

  async function loadChoices(data) {
    const listing = data || (await SM.api.get("/api/conda/environments"));
    choices = listing.items.filter((env) => env.available);
    showMessage(listing.message);
  }

  const button = document.getElementById("sm-env-refresh");
  button.addEventListener("click", async () => {
    button.disabled = true;
    document.getElementById("sm-env-spinner").classList.remove("d-none");
    document.getElementById("sm-env-refresh-icon").classList.add("d-none");
    try {
      await loadChoices(await SM.api.post("/api/conda/refresh"));
      SM.toast(SM.t("admin.env.refreshed"), "success");
    } catch (error) {
      SM.toast(error.message, "danger");
    } finally {
      button.disabled = false;
      document.getElementById("sm-env-spinner").classList.add("d-none");
      document.getElementById("sm-env-refresh-icon").classList.remove("d-none");
    }
    envTable.reload();
    if (groupTable) groupTable.reload();
  });

  loadChoices()
    .catch((error) => SM.toast(error.message, "danger"))
    .finally(() => (groupTable = SM.pagedTable(groupOptions)));
})();
