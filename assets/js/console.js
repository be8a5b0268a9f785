/* A live console: coloured streams, auto-scroll with pause, status, elapsed time, Stop. */
(function () {
  "use strict";

  const MAX_DOM_LINES = 20000;
  const BADGES = {
    running: "text-bg-primary",
    completed: "text-bg-success",
    failed: "text-bg-danger",
    terminated: "text-bg-warning",
  };

  function badge(element, status) {
    element.className = "badge " + (BADGES[status] || "text-bg-secondary");
    element.textContent = SM.t("status." + status);
  }

  function formatDuration(seconds) {
    const total = Math.max(0, Math.round(seconds));
    const minutes = Math.floor(total / 60);
    return (minutes ? minutes + " min " : "") + (total % 60) + " s";
  }

  class LiveConsole {
    constructor(root, { onFinished } = {}) {
      this.root = root;
      this.output = root.querySelector("[data-console-output]");
      this.statusBadge = root.querySelector("[data-console-status]");
      this.elapsed = root.querySelector("[data-console-elapsed]");
      this.stopButton = root.querySelector("[data-console-stop]");
      this.follow = root.querySelector("[data-console-follow]");
      this.trimmedNote = root.querySelector("[data-console-trimmed]");
      this.interfaceLink = root.querySelector("[data-console-interface]");
      SM.live.onInterface((event) => this.interfaceChanged(event));
      this.onFinished = onFinished;
      this.timer = null;
      this.output.addEventListener("scroll", () => {
        const atEnd = this.output.scrollTop + this.output.clientHeight >= this.output.scrollHeight - 8;
        if (!atEnd && this.follow.checked && this.output.dataset.autoscrolling !== "1") this.follow.checked = false;
      });
    }

    start(executionId, scriptId, startedAt, autoOpen) {
      this.executionId = executionId;
      this.finishedId = null;
      this.autoOpen = Boolean(autoOpen);
      this.opened = false;
      this.interfaceLink.classList.add("d-none");
      this.output.replaceChildren();
      this.trimmedNote.classList.add("d-none");
      this.root.classList.remove("d-none");
      badge(this.statusBadge, "running");
      const started = startedAt ? new Date(startedAt).getTime() : Date.now();
      clearInterval(this.timer);
      this.timer = setInterval(() => {
        this.elapsed.textContent = formatDuration((Date.now() - started) / 1000);
      }, 500);
      this.stopButton.classList.remove("d-none");
      this.stopButton.onclick = async () => {
        this.stopButton.disabled = true;
        try {
          await SM.api.post("/api/scripts/" + scriptId + "/stop", { execution_id: executionId });
        } catch (error) {
          SM.toast(error.message, "danger");
        } finally {
          this.stopButton.disabled = false;
        }
      };
      SM.live.watch(executionId, {
        onLines: (stream, lines) => this.append(stream, lines),
        onStatus: (event) => this.finish(event),
        onError: (message) => SM.toast(message, "danger"),
      });
    }

    interfaceChanged(event) {
      if (event.execution_id !== this.executionId) return;
      const ready = event.status === "ready";
      this.interfaceLink.classList.toggle("d-none", !ready);
      if (ready) {
        this.interfaceLink.href = event.url;
        SM.desktop.bind(this.interfaceLink, event);
        if (this.autoOpen && !this.opened) {
          this.opened = true;
          SM.desktop.open(event);
        }
      }
    }

    append(stream, lines) {
      const fragment = document.createDocumentFragment();
      for (const line of lines) {
        const row = document.createElement("div");
        row.className = "sm-line sm-line-" + stream;
        row.textContent = line;
        fragment.appendChild(row);
      }
      this.output.appendChild(fragment);
      const excess = this.output.childElementCount - MAX_DOM_LINES;
      if (excess > 0) {
        for (let i = 0; i < excess; i += 1) this.output.firstElementChild.remove();
        this.trimmedNote.classList.remove("d-none");
      }
      if (this.follow.checked) {
        this.output.dataset.autoscrolling = "1";
        this.output.scrollTop = this.output.scrollHeight;
        requestAnimationFrame(() => (this.output.dataset.autoscrolling = "0"));
      }
    }

    finish(event) {
      // The status arrives through the run's room and the user's room: act once.
      if (event.status === "running" || this.finishedId === event.execution_id) return;
      this.finishedId = event.execution_id;
      clearInterval(this.timer);
      badge(this.statusBadge, event.status);
      this.stopButton.classList.add("d-none");
      this.interfaceLink.classList.add("d-none");
      if (event.exit_code !== null && event.exit_code !== undefined) {
        this.elapsed.textContent += " · " + SM.t("run.exit_code", { code: event.exit_code });
      }
      if (this.onFinished) this.onFinished(event);
    }
  }

  window.SM.LiveConsole = LiveConsole;
  window.SM.statusBadge = badge;
  window.SM.formatDuration = formatDuration;
})();
