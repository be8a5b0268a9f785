/* Permission matrix: each script's required level, changed in place through its metadata
   (PUT /api/scripts/<id>/metadata), so every change lands in the metadata history. */
(function () {
  "use strict";

  const LEVELS = JSON.parse(document.getElementById("sm-perm-levels").textContent);
  const groupSelect = document.getElementById("perm-group");
  let lastGroup = null;

  function groupRow(script) {
    const tr = document.createElement("tr");
    tr.className = "sm-matrix-group";
    const th = document.createElement("th");
    th.colSpan = LEVELS.length + 2;
    th.scope = "rowgroup";
    th.textContent = script.group_name + " ";
    const level = document.createElement("span");
    level.className = "badge sm-level-badge ms-1";
    level.textContent = SM.t("admin.permissions.group_level", { level: SM.t("level." + script.group_required_level) });
    th.append(level);
    tr.append(th);
    return tr;
  }

  async function save(script, level) {
    try {
      await SM.api.put("/api/scripts/" + script.id + "/metadata", { required_level: level });
      SM.toast(SM.t("admin.permissions.saved", { script: script.display_name }), "success");
    } catch (error) {
      SM.toast(error.message, "danger");
    }
    table.reload();
  }

  function levelCell(script, level) {
    const td = document.createElement("td");
    td.className = "text-center";
    const input = document.createElement("input");
    input.type = "radio";
    input.className = "form-check-input";
    input.name = "level-" + script.id;
    input.value = level;
    input.checked = script.required_level === level;
    input.setAttribute("aria-label", script.display_name + ": " + SM.t("level." + level));
    input.addEventListener("change", () => save(script, level));
    td.append(input);
    return td;
  }

  function originCell(script) {
    if (!script.required_level_edited) return SM.cell(SM.t("admin.permissions.from_files"), "text-end small text-body-secondary");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-sm btn-outline-secondary";
    button.title = SM.t("admin.permissions.revert_hint");
    button.innerHTML = '<i class="bi bi-arrow-counterclockwise"></i> ';
    button.append(SM.t("admin.permissions.revert"));
    button.addEventListener("click", () => save(script, null));
    const td = SM.cell(button, "text-end text-nowrap");
    const badge = document.createElement("span");
    badge.className = "badge text-bg-info me-2";
    badge.textContent = SM.t("admin.permissions.edited");
    td.prepend(badge);
    return td;
  }

  function row(script) {
    const tr = document.createElement("tr");
    tr.dataset.scriptId = script.id;
    const name = SM.cell(script.display_name, "fw-semibold");
    const file = document.createElement("div");
    file.className = "small text-body-secondary font-monospace";
    file.textContent = script.filename;
    name.append(file);
    tr.append(name, ...LEVELS.map((level) => levelCell(script, level)), originCell(script));
    if (script.group_id === lastGroup) return tr;
    lastGroup = script.group_id;
    const rows = document.createDocumentFragment();
    rows.append(groupRow(script), tr);
    return rows;
  }

  const body = document.getElementById("sm-perm-body");
  const table = SM.pagedTable({
    body,
    pager: document.getElementById("sm-perm-pager"),
    filters: document.getElementById("sm-perm-filters"),
    url: () => {
      lastGroup = null; // each page starts with its first group's heading
      return "/api/admin/scripts";
    },
    perPage: 50,
    row,
    empty: SM.t("table.empty"),
  });

  SM.api
    .get("/api/admin/groups?per_page=200")
    .then((data) => {
      for (const group of data.items) {
        const option = document.createElement("option");
        option.value = group.id;
        option.textContent = group.name;
        groupSelect.append(option);
      }
    })
    .catch((error) => SM.toast(error.message, "danger"));
})();
