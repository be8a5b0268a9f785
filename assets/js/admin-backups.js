/* System backups: status, progress, list, back up now, delete, restore with confirmation. */
(function () {
  "use strict";

  const body = document.getElementById("sm-backups-body");
  const rowTemplate = document.getElementById("sm-backup-row");
  const statusBox = document.getElementById("sm-backup-status");
  const progressBox = document.getElementById("sm-backup-progress");
  const nowButton = document.getElementById("sm-backup-now");
  const modal = bootstrap.Modal.getOrCreateInstance(document.getElementById("sm-restore-modal"));
  const form = document.getElementById("sm-restore-form");
  const confirmInput = document.getElementById("sm-restore-confirm");
  const goButton = document.getElementById("sm-restore-go");
  const errorBox = document.getElementById("sm-restore-error");
  const bytes = (value) => (value === null || value === undefined ? "—" : SM.bytes(value));
  let restoring = null;
  let polling = null;

  function setStatus(name, text) {
    statusBox.querySelector('[data-status="' + name + '"]').textContent = text;
  }

  function badge(text, kind) {
    const element = document.createElement("span");
    element.className = "badge text-bg-" + kind;
    element.textContent = text;
    return element;
  }

  function renderStatus(status) {
    setStatus("schedule", status.enabled ? SM.t("backups.daily_at", { time: status.schedule_time }) : SM.t("backups.disabled"));
    setStatus("next", status.next_run ? SM.t("backups.next", { time: SM.localTime(status.next_run) }) : "");
    const last = status.last_result;
    const lastBox = statusBox.querySelector('[data-status="last"]');
    if (last) {
      const ok = last.result === "completed";
      lastBox.replaceChildren(badge(SM.t("backups.result_" + (ok ? "ok" : "failed")), ok ? "success" : "danger"),
        document.createTextNode(" " + SM.t("backups.kind_" + last.kind)));
      setStatus("last_detail", SM.localTime(last.finished) + (last.message ? " · " + last.message : ""));
    } else {
      lastBox.textContent = SM.t("backups.never");
      setStatus("last_detail", "");
    }
    setStatus("kept", SM.t("backups.count", { count: status.count, days: status.retention_days }));
    setStatus("space", SM.t("backups.space", { used: bytes(status.total_size), free: bytes(status.free_bytes) }));
    renderProgress(status.running);
  }

  function renderProgress(job) {
    progressBox.classList.toggle("d-none", !job);
    nowButton.disabled = Boolean(job);
    if (!job) return;
    const percent = job.percent === null ? 100 : job.percent;
    progressBox.querySelector('[data-progress="label"]').textContent =
      SM.t("backups.kind_" + job.kind) + " " + job.backup_id + " · " + SM.t("backups.phase_" + job.phase);
    progressBox.querySelector('[data-progress="figures"]').textContent = job.total_bytes
      ? bytes(job.done_bytes) + " / " + bytes(job.total_bytes) + " (" + Math.round(percent) + " %)"
      : "";
    progressBox.querySelector('[data-progress="bar"]').style.width = percent + "%";
  }

  function renderRow(item) {
    const row = rowTemplate.content.firstElementChild.cloneNode(true);
    row.dataset.backupId = item.id;
    row.querySelector('[data-col="date"]').textContent = SM.localTime(item.created);
    row.querySelector('[data-col="id"]').textContent = item.id;
    row.querySelector('[data-col="size"]').textContent = bytes(item.size);
    const complete = item.status === "complete";
    row.querySelector('[data-col="status"]').appendChild(
      badge(SM.t("backups.status_" + item.status), complete ? "success" : "info"));
    for (const button of row.querySelectorAll("button")) button.disabled = !complete;
    row.querySelector('[data-action="restore"]').addEventListener("click", () => openRestore(item));
    row.querySelector('[data-action="delete"]').addEventListener("click", () => remove(item));
    return row;
  }

  async function refresh() {
    let status;
    try {
      status = await SM.api.get("/api/system/backup-status");
    } catch (error) {
      // A restore ends every session: the reload leads to the login page.
      if (error.status === 401) window.location.reload();
      else SM.toast(error.message, "danger");
      return;
    }
    renderStatus(status);
    if (!status.running) table.reload();
    if (status.running && !polling) polling = setInterval(refresh, 1000);
    if (!status.running && polling) {
      clearInterval(polling);
      polling = null;
      finished(status.last_result);
    }
  }

  function finished(last) {
    if (!last) return;
    const ok = last.result === "completed";
    SM.toast(ok ? SM.t("backups.done_" + last.kind, { id: last.backup_id }) : last.message, ok ? "success" : "danger");
    // After a restore the accounts are those of the backup: reload (to the login page if gone).
    if (ok && last.kind === "restore") window.location.reload();
  }

  async function backupNow() {
    nowButton.disabled = true;
    try {
      await SM.api.post("/api/system/backup");
    } catch (error) {
      SM.toast(error.message, "danger");
    }
    refresh();
  }

  function openRestore(item) {
    restoring = item;
    confirmInput.value = "";
    goButton.disabled = true;
    errorBox.classList.add("d-none");
    document.getElementById("sm-restore-label").textContent = SM.t("backups.restore_type", { id: item.id });
    modal.show();
  }

  async function restore(event) {
    event.preventDefault();
    if (!restoring || confirmInput.value.trim() !== restoring.id) return;
    try {
      await SM.api.post("/api/system/backups/" + encodeURIComponent(restoring.id) + "/restore", { confirm: restoring.id });
      modal.hide();
      refresh();
    } catch (error) {
      errorBox.textContent = error.message;
      errorBox.classList.remove("d-none");
    }
  }

  async function remove(item) {
    if (!window.confirm(SM.t("backups.confirm_delete", { id: item.id }))) return;
    try {
      await SM.api.del("/api/system/backups/" + encodeURIComponent(item.id));
      SM.toast(SM.t("backups.deleted", { id: item.id }), "success");
    } catch (error) {
      SM.toast(error.message, "danger");
    }
    refresh();
  }

  confirmInput.addEventListener("input", () => {
    goButton.disabled = !restoring || confirmInput.value.trim() !== restoring.id;
  });
  form.addEventListener("submit", restore);
  nowButton.addEventListener("click", backupNow);
  const table = SM.pagedTable({
    body,
    pager: document.getElementById("sm-backups-pager"),
    filters: document.getElementById("sm-backup-filters"),
    url: "/api/system/backups",
    row: renderRow,
    empty: SM.t("backups.none"),
  });
  refresh();
})();
