/* One run: live console while it runs; otherwise the log file, newest part first. */
(function () {
  "use strict";

  const root = document.getElementById("sm-log-detail");
  const executionId = root.dataset.executionId;
  const base = "/api/logs/execution/" + executionId;
  const CHUNK = 256 * 1024;
  const STREAMS = [
    ["[stderr] ", "stderr"],
    ["[debug] ", "debug"],
  ];

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

  function renderLines(text) {
    const fragment = document.createDocumentFragment();
    for (const raw of text.split("\n")) {
      let stream = "stdout";
      let line = raw;
      for (const [prefix, name] of STREAMS) {
        if (raw.startsWith(prefix)) {
          stream = name;
          line = raw.slice(prefix.length);
        }
      }
      const row = document.createElement("div");
      row.className = "sm-line sm-line-" + stream;
      row.textContent = line;
      fragment.appendChild(row);
    }
    return fragment;
  }

  function showFile() {
    const viewer = document.getElementById("sm-log-viewer");
    const earlier = document.getElementById("sm-log-earlier");
    let offset = null;

    async function loadEarlier() {
      const start = offset === null ? null : Math.max(0, offset - CHUNK);
      const length = offset === null ? CHUNK : offset - start;
      const query = start === null ? "?length=" + length : "?offset=" + start + "&length=" + length;
      const part = await SM.api.get(base + "/content" + query);
      const text = part.text.endsWith("\n") ? part.text.slice(0, -1) : part.text;
      const before = viewer.scrollHeight;
      viewer.prepend(renderLines(text));
      if (offset === null) viewer.scrollTop = viewer.scrollHeight;
      else viewer.scrollTop += viewer.scrollHeight - before;
      offset = part.offset;
      earlier.classList.toggle("d-none", offset === 0);
    }

    earlier.addEventListener("click", () => loadEarlier().catch((error) => SM.toast(error.message, "danger")));
    viewer.addEventListener("scroll", () => {
      if (viewer.scrollTop === 0 && offset > 0) loadEarlier();
    });
    loadEarlier().catch((error) => SM.toast(error.message, "danger"));
  }

  if (root.dataset.status === "running") {
    const liveConsole = new SM.LiveConsole(document.getElementById("sm-console"), {
      onFinished: () => window.location.reload(),
    });
    liveConsole.start(executionId, root.dataset.scriptId);
  } else {
    showFile();
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
