/* Stars and notes on runs: the star toggle of a list row or of a run's page, a row's note
   excerpt, and the note editor of a run's page (admins also read the other users' marks
   there, each named by its author).

   SM.runMarks.star(run) → <button> that stars or unstars the run ({execution_id, starred})
   SM.runMarks.excerpt(run) → <div> with the note (and, for admins, the others') or null */
(function () {
  "use strict";

  const EXCERPT = 80; // characters of a note shown in a list row

  function markUrl(executionId) {
    return "/api/logs/execution/" + encodeURIComponent(executionId) + "/mark";
  }

  function shorten(text) {
    const line = text.replace(/\s+/g, " ").trim();
    return line.length > EXCERPT ? line.slice(0, EXCERPT - 1) + "…" : line;
  }

  function paint(button, starred) {
    const label = SM.t(starred ? "marks.unstar" : "marks.star");
    button.classList.toggle("sm-starred", starred);
    button.setAttribute("aria-pressed", String(starred));
    button.setAttribute("aria-label", label);
    button.title = label;
    button.querySelector("i").className = starred ? "bi bi-star-fill" : "bi bi-star";
  }

  /* Wire a star button of a run: a click stars or unstars it; every star of the run follows. */
  function bind(button, executionId, starred) {
    button.dataset.smRunStar = executionId;
    if (!button.querySelector("i")) button.appendChild(document.createElement("i"));
    paint(button, starred);
    button.addEventListener("click", async () => {
      const next = button.getAttribute("aria-pressed") !== "true";
      button.disabled = true;
      try {
        const mark = await SM.api.put(markUrl(executionId), { starred: next });
        for (const other of document.querySelectorAll("[data-sm-run-star]")) {
          if (other.dataset.smRunStar === executionId) paint(other, mark.starred);
        }
      } catch (error) {
        SM.toast(error.message, "danger");
      } finally {
        button.disabled = false;
      }
    });
    return button;
  }

  function star(run) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-sm btn-link p-0 sm-star";
    return bind(button, run.execution_id, Boolean(run.starred));
  }

  function notePart(icon, text, title) {
    const part = document.createElement("span");
    part.className = "sm-note-part";
    part.title = title;
    const mark = document.createElement("i");
    mark.className = "bi " + icon;
    part.append(mark, " ", text);
    return part;
  }

  function excerpt(run) {
    const others = (run.other_marks || []).filter((mark) => mark.note);
    if (!run.note && !others.length) return null;
    const box = document.createElement("div");
    box.className = "small text-body-secondary sm-note-excerpt";
    if (run.note) box.appendChild(notePart("bi-sticky", shorten(run.note), run.note));
    for (const mark of others) {
      const title = SM.t("marks.note_of", { name: mark.username }) + "\n" + mark.note;
      box.appendChild(notePart("bi-person", mark.username + ": " + shorten(mark.note), title));
    }
    return box;
  }

  function otherItem(mark) {
    const item = document.createElement("li");
    item.className = "sm-other-mark";
    const author = document.createElement("div");
    author.className = "small fw-semibold";
    author.textContent = mark.username;
    if (mark.starred) {
      const icon = document.createElement("i");
      icon.className = "bi bi-star-fill sm-star-on ms-1";
      icon.title = SM.t("marks.other_starred");
      author.appendChild(icon);
    }
    item.appendChild(author);
    if (mark.note) {
      const text = document.createElement("p");
      text.className = "mb-0 sm-note-text";
      text.textContent = mark.note;
      item.appendChild(text);
    }
    return item;
  }

  /* The run's page: its star, the caller's note, the other users' marks (admins). */
  function initDetail(root) {
    const executionId = root.dataset.executionId;
    const text = document.getElementById("sm-note-text");
    const counter = document.getElementById("sm-note-count");
    const saved = document.getElementById("sm-note-saved");
    const limit = Number(text.getAttribute("maxlength"));

    function count() {
      counter.textContent = SM.t("marks.note_count", { count: text.value.length, limit });
    }

    async function store(note, message) {
      try {
        const mark = await SM.api.put(markUrl(executionId), { note });
        text.value = mark.note || "";
        count();
        saved.textContent = SM.t(message);
      } catch (error) {
        SM.toast(error.message, "danger");
      }
    }

    function show(mark) {
      bind(document.getElementById("sm-run-star"), executionId, mark.starred);
      text.value = mark.note || "";
      count();
      const others = document.getElementById("sm-note-others");
      others.querySelector("ul").replaceChildren(...mark.other_marks.map(otherItem));
      others.classList.toggle("d-none", mark.other_marks.length === 0);
    }

    text.addEventListener("input", () => {
      count();
      saved.textContent = "";
    });
    document.getElementById("sm-note-save").addEventListener("click", () => store(text.value, "marks.note_saved"));
    document.getElementById("sm-note-clear").addEventListener("click", () => store(null, "marks.note_cleared"));
    SM.api
      .get(markUrl(executionId))
      .then(show)
      .catch((error) => SM.toast(error.message, "danger"));
  }

  window.SM.runMarks = { star, excerpt };
  const root = document.getElementById("sm-run-marks");
  if (root) initDetail(root);
})();
