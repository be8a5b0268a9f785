/* A finished run's log file in its viewer (the window of it: log-window.js). Start, End,
   Go to line and search put the part around their target in place of the window; "stderr
   only" shows the stderr lines alone. The file itself is never read whole. */
(function () {
  "use strict";

  const language = document.documentElement.lang || "en";
  const CHUNK = SM.LogWindow.CHUNK;

  class LogViewer {
    constructor(base) {
      this.base = base;
      this.window = new SM.LogWindow(base, {
        viewer: document.getElementById("sm-log-viewer"),
        earlier: document.getElementById("sm-log-earlier"),
        later: document.getElementById("sm-log-later"),
        lineInput: document.getElementById("sm-log-line"),
      });
      this.queryInput = document.getElementById("sm-log-query");
      this.hitLabel = document.getElementById("sm-log-hit");
      this.stderrOnly = document.getElementById("sm-log-stderr");
      this.hit = null;
      this.searches = 0; // a newer search makes an older one's answer void
    }

    async toStart() {
      const mine = await this.window.replace(() => this.window.readAfter(0), false);
      if (mine === null) return;
      this.window.viewer.scrollTop = 0;
      await this.window.fill(mine);
    }

    async toEnd() {
      // No offset: the file's end part (for stderr lines, read backwards from the end).
      const forward = this.window.mode !== "stderr";
      const mine = await this.window.replace(() => this.window.read({ length: CHUNK }, forward), false);
      if (mine === null) return;
      this.window.viewer.scrollTop = this.window.viewer.scrollHeight;
      await this.window.fill(mine);
    }

    async toLine(line) {
      const mine = await this.window.replace(() => this.window.read({ line, length: CHUNK }, true), true);
      if (mine === null) return;
      const row = this.window.rowOfLine(line);
      if (row) this.window.mark(row, null);
      await this.window.fill(mine);
    }

    /* Show the part from `offset`, its first row at the top (after a change of mode). */
    async toOffset(offset) {
      const mine = await this.window.replace(() => this.window.readAfter(offset), true);
      if (mine === null) return;
      const row = this.window.rowAtOrAfter(offset);
      if (row) this.window.viewer.scrollTop = row.offsetTop;
      await this.window.fill(mine);
    }

    async showHit(hit) {
      const selector = '.sm-line[data-line="' + hit.line + '"]';
      if (!this.window.viewer.querySelector(selector)) {
        const mine = await this.window.replace(() => this.window.readAfter(hit.offset), true);
        if (mine === null) return;
      }
      const row = this.window.viewer.querySelector(selector);
      if (row) this.window.mark(row, hit);
    }

    /* Where a search starts: after (before) the last hit, else at the rows in view. */
    searchFrom(forward, query) {
      const last = this.hit;
      if (last && last.query === query && last.mode === this.window.mode) {
        return forward ? last.offset + 1 : last.offset;
      }
      const visible = this.window.visibleRows();
      if (!visible) return null;
      return forward ? Number(visible[0].dataset.offset) : Number(visible[1].dataset.offset) + 1;
    }

    find(params) {
      return SM.api.get(this.base + "/find?" + new URLSearchParams(params));
    }

    async search(forward) {
      const query = this.queryInput.value;
      if (!query) {
        this.queryInput.focus();
        return;
      }
      const params = { q: query, direction: forward ? "next" : "prev", stream: this.window.mode };
      const from = this.searchFrom(forward, query);
      const mine = (this.searches += 1);
      this.hitLabel.textContent = SM.t("logs.nav_searching");
      let hit = await this.find(from === null ? params : { ...params, from });
      // Nothing further on: search again from the start (backwards: from the end), as a
      // browser's find does, and say so.
      const wrapped = !hit.found && from !== null && (forward ? from > 0 : from < hit.size);
      if (wrapped) hit = await this.find(params);
      if (mine !== this.searches) return;
      if (!hit.found) {
        this.hitLabel.textContent = SM.t("logs.nav_no_match");
        return;
      }
      this.hit = { ...hit, query, mode: this.window.mode };
      const key = !wrapped ? "logs.nav_hit" : forward ? "logs.nav_none_below" : "logs.nav_none_above";
      this.hitLabel.textContent = SM.t(key, { line: hit.line.toLocaleString(language) });
      await this.showHit(this.hit);
    }

    /* Show every stream or the stderr lines alone, from the first line in view. */
    setMode(stderrOnly) {
      const visible = this.window.visibleRows();
      const at = visible ? Number(visible[0].dataset.offset) : 0;
      this.window.mode = stderrOnly ? "stderr" : "all";
      this.forget();
      return this.toOffset(at);
    }

    forget() {
      this.hit = null;
      this.hitLabel.textContent = "";
    }

    bind() {
      const on = (id, type, task) => document.getElementById(id).addEventListener(type, guarded(task));
      on("sm-log-start", "click", () => this.toStart());
      on("sm-log-end", "click", () => this.toEnd());
      on("sm-log-prev", "click", () => this.search(false));
      on("sm-log-earlier", "click", () => this.window.extend(false));
      on("sm-log-later", "click", () => this.window.extend(true));
      on("sm-log-viewer", "scroll", () => this.window.onScroll());
      on("sm-log-stderr", "change", () => this.setMode(this.stderrOnly.checked));
      on("sm-log-goto", "submit", (event) => {
        event.preventDefault();
        const line = Number(this.window.lineInput.value);
        return Number.isInteger(line) && line >= 1 ? this.toLine(line) : Promise.resolve();
      });
      on("sm-log-find", "submit", (event) => {
        event.preventDefault();
        return this.search(true);
      });
      on("sm-log-query", "keydown", (event) => {
        if (event.key !== "Enter") return Promise.resolve();
        event.preventDefault(); // Enter: next; Shift+Enter: previous
        return this.search(!event.shiftKey);
      });
      this.queryInput.addEventListener("input", () => this.forget());
      return this;
    }
  }

  function guarded(task) {
    return (...args) => Promise.resolve(task(...args)).catch((error) => SM.toast(error.message, "danger"));
  }

  window.SM.openLogViewer = (base) => {
    const viewer = new LogViewer(base).bind();
    guarded(() => viewer.toEnd())();
    return viewer;
  };
})();
