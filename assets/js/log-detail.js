/* One run: live console while it runs; otherwise the log file in its viewer (log-viewer.js). */
(function () {
  "use strict";

  const root = document.getElementById("sm-log-detail");
  const executionId = root.dataset.executionId;
  const base = "/api/logs/execution/" + executionId;

  document.querySelectorAll("[data-local-time]").forEach((element) => {
    element.textContent = new Date(element.dataset.localTime).toLocaleString(document.documentElement.lang);
  });
  document.querySelectorAll("[data-duration]").forEach((element) => {
    element.textContent = element.dataset.duration === "" ? "—" : SM.formatDuration(Number(element.dataset.duration));
  });
  SM.statusBadge(document.getElementById("sm-detail-status"), root.dataset.status);

  // While a run goes its detail holds the end of each stream and a cursor; asked with
  // ?after=cursor it gives only what came since (the console shows stdout live itself).
  const TAIL_POLL_MS = 2000;
  const MAX_TAB_CHARS = 512 * 1024;
  const STREAMS = { error_output: "sm-detail-errors", debug_output: "sm-detail-debug" };

  function skippedNote() {
    const note = document.createElement("div");
    note.className = "sm-skipped-note";
    const link = document.createElement("a");
    link.href = base + "/download?format=txt";
    link.textContent = SM.t("logs.full_log");
    note.append(SM.t("logs.live_skipped") + " ", link);
    return note;
  }

  // Lines were skipped (or the tab holds enough): start again from the note and the new end.
  function addText(element, text, skipped) {
    if (!text && !skipped) return;
    const empty = element.dataset.empty === "1";
    const full = !empty && element.textContent.length + text.length > MAX_TAB_CHARS;
    if (empty || skipped || full) element.replaceChildren();
    element.dataset.empty = "0";
    if (skipped || full) element.append(skippedNote());
    element.append(document.createTextNode(text));
  }

  function showStreams(run, fresh) {
    for (const [key, id] of Object.entries(STREAMS)) {
      const element = document.getElementById(id);
      if (fresh) {
        element.textContent = "—";
        element.dataset.empty = "1";
      }
      addText(element, run[key] || "", Boolean(run[key + "_truncated"]));
    }
  }

  function followTail(cursor) {
    window.setTimeout(async () => {
      try {
        const run = await SM.api.get(base + "?after=" + cursor);
        if (run.cursor === undefined) return; // ended: the page reloads with the full log
        showStreams(run, false);
        followTail(run.cursor);
      } catch (error) {
        SM.toast(error.message, "danger");
      }
    }, TAIL_POLL_MS);
  }

  async function fillDetails() {
    const run = await SM.api.get(base);
    showStreams(run, true);
    document.getElementById("sm-detail-environment").textContent = JSON.stringify(run.environment, null, 2);
    if (run.cursor !== undefined) followTail(run.cursor);
  }

  if (root.dataset.status === "running") {
    const liveConsole = new SM.LiveConsole(document.getElementById("sm-console"), {
      onFinished: () => window.location.reload(),
    });
    liveConsole.start(executionId, root.dataset.scriptId);
  } else {
    SM.openLogViewer(base);
  }
  fillDetails().catch((error) => SM.toast(error.message, "danger"));

  const remove = document.getElementById("sm-log-delete");
  if (remove) {
    remove.addEventListener("click", async () => {
      if (!window.confirm(SM.t("logs.confirm_delete"))) return;
      try {
        await SM.api.del(base);
        window.location.assign("/logs");
      } catch (error) {
        SM.toast(error.message, "danger");
      }
    });
  }
})();
