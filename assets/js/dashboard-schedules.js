/* The dashboard's Schedules card: the user's schedules with their next run, last result
   and an on/off switch; hidden while there are none. */
(function () {
  "use strict";

  const card = document.getElementById("sm-dashboard-schedules");
  if (!card) return;
  const body = document.getElementById("sm-dashboard-schedules-body");
  const language = document.documentElement.lang;

  function el(tag, className, text) {
    const element = document.createElement(tag);
    if (className) element.className = className;
    if (text !== undefined) element.textContent = text;
    return element;
  }

  // In the schedule's own time zone, named, since schedules may follow different ones.
  function when(iso, timeZone) {
    if (!iso) return "—";
    const options = { dateStyle: "short", timeStyle: "short" };
    try {
      return new Date(iso).toLocaleString(language, { ...options, timeZone }) + " (" + timeZone + ")";
    } catch (error) {
      return new Date(iso).toLocaleString(language, options);
    }
  }

  function scriptCell(schedule) {
    const cell = el("td");
    const link = el("a", "", schedule.script_name || "—");
    if (schedule.script_id) link.href = "/scripts/" + schedule.script_id;
    const cron = el("span", "font-monospace text-body-secondary ms-2", schedule.cron);
    cell.append(link, cron);
    if (schedule.paused_reason) {
      const paused = el("div", "text-warning-emphasis", schedule.paused_reason);
      paused.prepend(el("i", "bi bi-pause-circle me-1"));
      cell.append(paused);
    }
    return cell;
  }

  function lastCell(schedule) {
    const cell = el("td");
    if (!schedule.last_run) {
      cell.textContent = "—";
      return cell;
    }
    const link = el("a", "");
    link.href = "/logs/" + schedule.last_run.execution_id;
    SM.statusBadge(link, schedule.last_run.status);
    cell.append(link);
    return cell;
  }

  function toggleCell(schedule) {
    const wrap = el("div", "form-check form-switch mb-0");
    const box = el("input", "form-check-input");
    box.type = "checkbox";
    box.setAttribute("role", "switch");
    box.checked = schedule.enabled;
    box.dataset.scheduleToggle = String(schedule.id);
    box.setAttribute("aria-label", SM.t("schedules.enabled") + ": " + (schedule.script_name || schedule.cron));
    box.addEventListener("change", () => {
      SM.api
        .put("/api/schedules/" + schedule.id, { enabled: box.checked })
        .catch((error) => SM.toast(error.message, "danger"))
        .then(load);
    });
    wrap.append(box);
    const cell = el("td");
    cell.append(wrap);
    return cell;
  }

  async function load() {
    const items = (await SM.api.get("/api/schedules")).items;
    body.replaceChildren(
      ...items.map((schedule) => {
        const row = el("tr");
        row.dataset.scheduleId = String(schedule.id);
        row.append(scriptCell(schedule), el("td", "", schedule.enabled ? when(schedule.next_run_at, schedule.timezone) : SM.t("schedules.off")), lastCell(schedule), toggleCell(schedule));
        return row;
      }),
    );
    card.classList.toggle("d-none", items.length === 0);
  }

  load().catch((error) => SM.toast(error.message, "danger"));
})();
