/* The part of a finished run's log file shown in its viewer: parts of whole lines read from
   the content API, at most KEEP of them at a time, each row numbered in a gutter. Scrolling
   near an edge reads the next part there; the part at the far end goes. */
(function () {
  "use strict";

  const CHUNK = 256 * 1024; // bytes of a part read on scrolling or at a target
  const CONTEXT = 64 * 1024; // bytes read before a target, so that it is not the first line
  const KEEP = 3; // parts kept in the page
  const EDGE = 160; // pixels from an edge where the next part is read
  const FILL = 16; // parts read in a row past ones without rows (sparse stderr lines)
  const PREFIXES = [
    ["[stderr] ", "stderr"],
    ["[debug] ", "debug"],
  ];
  const encoder = new TextEncoder();

  function makeRow(raw, line, offset) {
    const [prefix, stream] = PREFIXES.find(([start]) => raw.startsWith(start)) || ["", "stdout"];
    const row = document.createElement("div");
    row.className = "sm-line sm-line-" + stream;
    row.dataset.line = String(line);
    row.dataset.offset = String(offset);
    row.dataset.prefix = String(prefix.length);
    const text = document.createElement("span");
    text.className = "sm-line-text";
    text.textContent = raw.slice(prefix.length);
    row.appendChild(text);
    return row;
  }

  /* The rows of a content answer: [raw line, number, byte offset]. */
  function textRows(answer) {
    const lines = answer.text.split("\n");
    if (answer.text.endsWith("\n") || answer.text === "") lines.pop();
    let offset = answer.offset;
    return lines.map((raw, index) => {
      const row = [raw, answer.line + index, offset];
      offset += encoder.encode(raw).length + 1;
      return row;
    });
  }

  /* A part of the file: the byte range it covers and its rows. */
  function normalise(answer, forward) {
    if (answer.text !== undefined) {
      const rows = textRows(answer);
      return { from: answer.offset, to: answer.next_offset, rows, size: answer.size, lines: answer.lines };
    }
    const rows = answer.lines.map((item) => [item.text, item.line, item.offset]);
    const [from, to] = forward ? [answer.offset, answer.next_offset] : [answer.next_offset, answer.offset];
    return { from, to, rows, size: answer.size };
  }

  function partElement(part) {
    const element = document.createElement("div");
    element.className = "sm-log-part";
    element.dataset.from = String(part.from);
    element.dataset.to = String(part.to);
    const fragment = document.createDocumentFragment();
    for (const [raw, line, offset] of part.rows) fragment.appendChild(makeRow(raw, line, offset));
    element.appendChild(fragment);
    return element;
  }

  class LogWindow {
    /* elements: viewer, earlier, later (buttons), lineInput (its max follows the file). */
    constructor(base, elements) {
      Object.assign(this, elements);
      this.base = base;
      this.mode = "all"; // or "stderr": the stderr lines alone
      this.size = 0;
      this.generation = 0; // a new window makes the reads for the old one void
      this.loading = false;
      this.marked = null;
    }

    start() {
      const first = this.viewer.firstElementChild;
      return first ? Number(first.dataset.from) : 0;
    }

    end() {
      const last = this.viewer.lastElementChild;
      return last ? Number(last.dataset.to) : 0;
    }

    showEdges() {
      this.earlier.classList.toggle("d-none", this.start() <= 0);
      this.later.classList.toggle("d-none", this.end() >= this.size);
    }

    /* Read a part in the current mode (for stderr lines backwards when not forward). */
    async read(params, forward) {
      const query = { ...params };
      if (this.mode === "stderr") {
        query.stream = "stderr";
        if (!forward) query.direction = "prev";
      }
      const answer = await SM.api.get(this.base + "/content?" + new URLSearchParams(query));
      const part = normalise(answer, forward);
      this.size = part.size;
      if (part.lines) this.lineInput.max = String(Math.max(1, part.lines));
      return part;
    }

    readAfter(at) {
      return this.read({ offset: at, length: CHUNK }, true);
    }

    readBefore(at, length) {
      if (this.mode === "stderr") return this.read({ offset: at, length }, false);
      const start = Math.max(0, at - length);
      return this.read({ offset: start, length: at - start }, false);
    }

    /* Add a part at one end, keeping what is in view where it is; a part without rows
       only widens the range of its neighbour. */
    add(part, atEnd) {
      const viewer = this.viewer;
      const neighbour = atEnd ? viewer.lastElementChild : viewer.firstElementChild;
      if (!part.rows.length && neighbour) {
        if (atEnd) neighbour.dataset.to = String(part.to);
        else neighbour.dataset.from = String(part.from);
        return;
      }
      if (atEnd) {
        viewer.appendChild(partElement(part));
        while (viewer.children.length > KEEP) {
          const height = viewer.firstElementChild.offsetHeight;
          viewer.firstElementChild.remove();
          viewer.scrollTop -= height;
        }
      } else {
        const before = viewer.scrollHeight;
        viewer.prepend(partElement(part));
        viewer.scrollTop += viewer.scrollHeight - before;
        while (viewer.children.length > KEEP) viewer.lastElementChild.remove();
      }
    }

    /* Read the next part at one end, and on past parts without rows (up to FILL). */
    async extend(forward) {
      if (this.loading) return;
      this.loading = true;
      const mine = this.generation;
      try {
        for (let round = 0; round < FILL; round += 1) {
          const at = forward ? this.end() : this.start();
          if (forward ? at >= this.size : at <= 0) return;
          const part = forward ? await this.readAfter(at) : await this.readBefore(at, CHUNK);
          if (mine !== this.generation) return;
          this.add(part, forward);
          if (part.rows.length) return;
        }
      } finally {
        this.loading = false;
        this.showEdges();
      }
    }

    /* Read on while the view is not full (a stderr view of a long log may be sparse). */
    async fill(mine) {
      const viewer = this.viewer;
      for (let round = 0; round < FILL && mine === this.generation; round += 1) {
        if (viewer.scrollHeight > viewer.clientHeight + EDGE) return;
        const forward = this.end() < this.size;
        if (!forward && this.start() <= 0) return;
        const part = forward ? await this.readAfter(this.end()) : await this.readBefore(this.start(), CHUNK);
        if (mine !== this.generation) return;
        this.add(part, forward);
        this.showEdges();
      }
    }

    /* Put the part `load` reads in place of the window, with CONTEXT before it when asked;
       return the new window's generation, or null when another one came first. */
    async replace(load, context) {
      const mine = (this.generation += 1);
      this.viewer.setAttribute("aria-busy", "true");
      try {
        const part = await load();
        const before = context && part.from > 0 ? await this.readBefore(part.from, CONTEXT) : null;
        if (mine !== this.generation) return null;
        this.marked = null;
        this.viewer.replaceChildren(partElement(part));
        if (before) this.add(before, false);
        this.showEdges();
        return mine;
      } finally {
        this.viewer.removeAttribute("aria-busy");
      }
    }

    onScroll() {
      const viewer = this.viewer;
      if (viewer.scrollTop < EDGE) return this.extend(false);
      if (viewer.scrollHeight - viewer.scrollTop - viewer.clientHeight < EDGE) return this.extend(true);
      return Promise.resolve();
    }

    rows() {
      return Array.from(this.viewer.querySelectorAll(".sm-line"));
    }

    /* The first and last rows in view (null when there are none). */
    visibleRows() {
      const rows = this.rows();
      if (!rows.length) return null;
      const top = this.viewer.scrollTop;
      const bottom = top + this.viewer.clientHeight;
      let low = 0;
      let high = rows.length - 1;
      while (low < high) {
        const middle = (low + high) >> 1;
        if (rows[middle].offsetTop + rows[middle].offsetHeight <= top) low = middle + 1;
        else high = middle;
      }
      let last = low;
      while (last + 1 < rows.length && rows[last + 1].offsetTop < bottom) last += 1;
      return [rows[low], rows[last]];
    }

    /* The row of a line, else the first after it, else the last row. */
    rowOfLine(line) {
      const rows = this.rows();
      return rows.find((row) => Number(row.dataset.line) >= line) || rows[rows.length - 1] || null;
    }

    rowAtOrAfter(offset) {
      return this.rows().find((row) => Number(row.dataset.offset) >= offset) || null;
    }

    centre(row) {
      this.viewer.scrollTop = Math.max(0, row.offsetTop - (this.viewer.clientHeight - row.offsetHeight) / 2);
    }

    /* Mark a row as the target and bring it to the middle; with a hit, its matched text
       goes in a <mark> (text nodes only: the log's text is never parsed as HTML). */
    mark(row, hit) {
      if (this.marked) {
        const old = this.marked.querySelector(".sm-line-text");
        old.textContent = old.textContent;
        this.marked.classList.remove("sm-line-hit");
      }
      this.marked = row;
      row.classList.add("sm-line-hit");
      const text = row.querySelector(".sm-line-text");
      const chars = Array.from(text.textContent);
      const start = hit ? hit.column - 1 - Number(row.dataset.prefix) : -1;
      if (start >= 0 && start < chars.length) {
        const end = start + Array.from(hit.query).length;
        const found = document.createElement("mark");
        found.textContent = chars.slice(start, end).join("");
        const head = document.createTextNode(chars.slice(0, start).join(""));
        text.replaceChildren(head, found, document.createTextNode(chars.slice(end).join("")));
      }
      this.centre(row);
      row.scrollIntoView({ block: "nearest" }); // and the page, when the viewer is below the fold
    }
  }

  LogWindow.CHUNK = CHUNK;
  window.SM.LogWindow = LogWindow;
})();
