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

  async function fillDetails() {
    const run = await SM.api.get(base);
    document.getElementById("sm-detail-errors").textContent = run.error_output || "—";
    document.getElementById("sm-detail-debug").textContent = run.debug_output || "—";
    document.getElementById("sm-detail-environment").textContent = JSON.stringify(run.environment, null, 2);
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
