/* The script page's Schedules tab: the user's schedules of this script, and a new one
   made from the run form's current values. */
(function () {
  "use strict";

  const root = document.getElementById("sm-schedules");
  if (!root || !SM.runForm) return;
  const scriptId = Number(root.dataset.scriptId);
  const language = document.documentElement.lang;
  const table = document.getElementById("sm-schedules-table");
  const body = document.getElementById("sm-schedules-body");
  const empty = document.getElementById("sm-schedules-empty");
  const form = document.getElementById("sm-schedule-form");
  const cron = document.getElementById("sm-schedule-cron");
  const preset = document.getElementById("sm-schedule-preset");
  const zone = document.getElementById("sm-schedule-timezone");
  const errorBox = document.getElementById("sm-schedule-error");

  function el(tag, className, text) {
    const element = document.createElement(tag);
    if (className) element.className = className;
    if (text !== undefined) element.textContent = text;
    return element;
  }

  // A schedule's times read in its own time zone (the one its cron expression follows).
  function when(iso, timeZone) {
    if (!iso) return "—";
    const options = { dateStyle: "medium", timeStyle: "short" };
    try {
      return new Date(iso).toLocaleString(language, { ...options, timeZone });
    } catch (error) {
      return new Date(iso).toLocaleString(language, options);
    }
  }

  function lastRun(schedule) {
    const cell = el("td");
    if (!schedule.last_run) {
      cell.textContent = "—";
      return cell;
    }
    const link = el("a", "me-2", when(schedule.last_run.start_time, schedule.timezone));
    link.href = "/logs/" + schedule.last_run.execution_id;
    const badge = el("span");
    SM.statusBadge(badge, schedule.last_run.status);
    cell.append(link, badge);
    return cell;
  }

  function switchCell(schedule) {
    const wrap = el("div", "form-check form-switch mb-0");
    const box = el("input", "form-check-input");
    box.type = "checkbox";
    box.setAttribute("role", "switch");
    box.checked = schedule.enabled;
    box.dataset.scheduleToggle = String(schedule.id);
    box.setAttribute("aria-label", SM.t("schedules.enabled") + ": " + schedule.cron);
    box.addEventListener("change", () => guarded(() => SM.api.put("/api/schedules/" + schedule.id, { enabled: box.checked }))());
    wrap.append(box);
    const cell = el("td");
    cell.append(wrap);
    return cell;
  }

  function deleteCell(schedule) {
    const button = el("button", "btn btn-sm btn-outline-danger");
    button.type = "button";
    button.dataset.scheduleDelete = String(schedule.id);
    button.title = SM.t("action.delete");
    button.setAttribute("aria-label", SM.t("action.delete") + ": " + schedule.cron);
    button.append(el("i", "bi bi-trash"));
    button.addEventListener("click", () => {
      if (!window.confirm(SM.t("schedules.delete_confirm", { cron: schedule.cron }))) return;
      guarded(() => SM.api.del("/api/schedules/" + schedule.id))();
    });
    const cell = el("td", "text-end");
    cell.append(button);
    return cell;
  }

  function rows(schedule) {
    const row = el("tr");
    row.dataset.scheduleId = String(schedule.id);
    row.append(
      el("td", "font-monospace", schedule.cron),
      el("td", "", schedule.timezone),
      el("td", "", schedule.enabled ? when(schedule.next_run_at, schedule.timezone) : SM.t("schedules.off")),
      lastRun(schedule),
      switchCell(schedule),
      deleteCell(schedule),
    );
    if (!schedule.paused_reason) return [row];
    const note = el("tr");
    const cell = el("td");
    cell.colSpan = 6;
    const warning = el("div", "alert alert-warning small py-1 px-2 mb-0");
    warning.dataset.pausedReason = String(schedule.id);
    warning.append(el("i", "bi bi-pause-circle me-1"), document.createTextNode(SM.t("schedules.paused", { reason: schedule.paused_reason })));
    cell.append(warning);
    note.append(cell);
    return [row, note];
  }

  async function load() {
    const items = (await SM.api.get("/api/schedules?script_id=" + scriptId)).items;
    body.replaceChildren(...items.flatMap(rows));
    table.classList.toggle("d-none", items.length === 0);
    empty.classList.toggle("d-none", items.length > 0);
  }

  function guarded(action) {
    return () =>
      action()
        .catch((error) => SM.toast(error.message, "danger"))
        .then(load)
        .catch((error) => SM.toast(error.message, "danger"));
  }

  function showError(error) {
    errorBox.textContent = error.message;
    errorBox.classList.remove("d-none");
  }

  preset.addEventListener("change", () => {
    if (preset.value) cron.value = preset.value;
  });
  cron.addEventListener("input", () => {
    preset.value = Array.from(preset.options).some((option) => option.value === cron.value) ? cron.value : "";
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    errorBox.classList.add("d-none");
    const project = document.getElementById("sm-run-project");
    const request = {
      script_id: scriptId,
      parameters: SM.runForm.read(),
      cron: cron.value.trim(),
      timezone: zone.value.trim() || undefined,
    };
    if (project && project.value) request.project_id = Number(project.value);
    try {
      await SM.api.post("/api/schedules", request);
      SM.toast(SM.t("schedules.created"), "success");
      await load();
    } catch (error) {
      showError(error);
    }
  });

  function fillZones() {
    zone.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
    const names = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
    document.getElementById("sm-schedule-zones").replaceChildren(
      ...names.map((name) => {
        const option = document.createElement("option");
        option.value = name;
        return option;
      }),
    );
  }

  fillZones();
  SM.runForm.ready.then(load).catch((error) => SM.toast(error.message, "danger"));
})();
