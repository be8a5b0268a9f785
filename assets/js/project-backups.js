/* A project's zip backups on the server: newest first, each downloadable and (operators)
   deletable, and "Make a backup now". */
(function () {
  "use strict";

  const page = SM.projectFiles;
  const body = document.getElementById("sm-backups-body");
  const table = document.getElementById("sm-backups-table");
  const empty = document.getElementById("sm-backups-empty");
  const now = document.getElementById("sm-backup-now");

  function backupUrl(name) {
    return page.base + "/backups/" + encodeURIComponent(name);
  }

  function backupRow(item) {
    const tr = document.createElement("tr");
    tr.dataset.name = item.name;
    const name = document.createElement("span");
    name.className = "font-monospace small text-break";
    name.textContent = item.name;
    const controls = [page.downloadLink(backupUrl(item.name), item.name)];
    if (page.canWrite) controls.push(page.deleteButton(item.name, () => remove(item)));
    tr.append(
      page.cell(name),
      page.cell(page.sizeText(item.size), "text-end text-nowrap"),
      page.cell(page.timeElement(item.created), "text-nowrap"),
      page.cell(page.actions(...controls), "text-end text-nowrap"),
    );
    return tr;
  }

  async function load() {
    try {
      const items = (await SM.api.get(page.base + "/backups")).items;
      body.replaceChildren(...items.map(backupRow));
      table.classList.toggle("d-none", items.length === 0);
      empty.classList.toggle("d-none", items.length > 0);
    } catch (error) {
      SM.toast(error.message, "danger");
    }
  }

  async function remove(item) {
    if (!window.confirm(SM.t("project_files.confirm_delete_backup", { name: item.name }))) return;
    try {
      await SM.api.del(backupUrl(item.name));
      SM.toast(SM.t("project_files.backup_deleted", { name: item.name }), "success");
    } catch (error) {
      SM.toast(error.message, "danger");
    }
    await load();
  }

  if (now) {
    now.addEventListener("click", async () => {
      now.disabled = true;
      try {
        const made = await SM.api.post(page.base + "/backup");
        SM.toast(SM.t("project_files.backup_made", { name: made.backup }), "success");
      } catch (error) {
        SM.toast(error.message, "danger");
      } finally {
        now.disabled = false;
      }
      await load();
    });
  }

  load();
})();
