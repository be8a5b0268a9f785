/* Bulk work on the Logs page: a checkbox per run, one for the page, "select all N that
   match", then Export or Delete after a confirmation that gives the count.

   Chosen runs are deleted by id, BATCH at a time, under a progress bar; all the runs that
   match go in one request with the filter, under a moving bar. An export is one request
   whose zip is then saved.

   SM.logsBulk.init({filters: () => filters, reload: () => Promise})
     → {checkbox(run) → <td>, loaded(items, total, atLeast), reset()} */
(function () {
  "use strict";

  const BATCH = 200;
  const ENDPOINT = "/api/logs/bulk";
  const byId = (id) => document.getElementById(id);

  /* The confirmation, the progress and the result of one bulk action. */
  const dialog = {
    modal: null,

    ask(action, count) {
      byId("sm-bulk-title").textContent = SM.t("logs.bulk_" + action + "_title");
      byId("sm-bulk-question").textContent = SM.tn("logs.bulk_confirm_" + action, count);
      byId("sm-bulk-working").classList.add("d-none");
      byId("sm-bulk-result").classList.add("d-none");
      const go = byId("sm-bulk-go");
      go.className = "btn " + (action === "delete" ? "btn-danger" : "btn-primary");
      go.textContent = SM.t("logs.bulk_" + action);
      go.disabled = false;
      byId("sm-bulk-cancel").textContent = SM.t("action.cancel");
      this.modal.show();
    },

    progress(done, total) {
      byId("sm-bulk-go").disabled = true;
      byId("sm-bulk-working").classList.remove("d-none");
      const percent = total ? Math.round((done / total) * 100) : 100;
      byId("sm-bulk-progress").querySelector(".sm-bulk-fill").style.width = percent + "%";
      byId("sm-bulk-progress").setAttribute("aria-valuenow", String(percent));
      byId("sm-bulk-status").textContent = total ? SM.t("logs.bulk_progress", { done, total }) : SM.t("logs.bulk_working");
    },

    finish(lines) {
      byId("sm-bulk-working").classList.add("d-none");
      const result = byId("sm-bulk-result");
      result.textContent = lines.filter(Boolean).join(" ");
      result.classList.remove("d-none");
      byId("sm-bulk-go").classList.add("d-none");
      byId("sm-bulk-cancel").textContent = SM.t("action.close");
    },
  };

  async function deleteRuns(target) {
    if (target.filter) {
      dialog.progress(0, 0);
      return SM.api.post(ENDPOINT, { action: "delete", filter: target.filter });
    }
    const ids = target.execution_ids;
    const sum = { done: 0, skipped: 0, truncated: false };
    dialog.progress(0, ids.length);
    for (let start = 0; start < ids.length; start += BATCH) {
      const answer = await SM.api.post(ENDPOINT, { action: "delete", execution_ids: ids.slice(start, start + BATCH) });
      sum.done += answer.done;
      sum.skipped += answer.skipped;
      dialog.progress(Math.min(start + BATCH, ids.length), ids.length);
    }
    return sum;
  }

  function save(blob, disposition) {
    const named = /filename="([^"]+)"/.exec(disposition || "");
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = named ? named[1] : "runs.zip";
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 60000); // once the download has it
  }

  async function exportRuns(target) {
    dialog.progress(0, 0);
    const response = await fetch(ENDPOINT, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": await SM.csrfToken() },
      body: JSON.stringify({ action: "export", ...target }),
    });
    if (!response.ok) {
      const body = await response.json().catch(() => null);
      throw new Error((body && body.error && body.error.message) || response.statusText);
    }
    save(await response.blob(), response.headers.get("Content-Disposition"));
    const count = (name) => Number(response.headers.get(name) || 0);
    return { done: count("X-Bulk-Done"), skipped: count("X-Bulk-Skipped") };
  }

  function summary(action, result) {
    return [
      SM.tn(action === "delete" ? "logs.bulk_deleted" : "logs.bulk_exported", result.done),
      result.skipped ? SM.tn("logs.bulk_skipped", result.skipped) : "",
      result.truncated ? SM.t("logs.bulk_truncated") : "",
    ];
  }

  /* The runs chosen: some by id, or every run that matches the filters. */
  class Selection {
    constructor(filters) {
      this.filters = filters;
      this.chosen = new Set();
      this.matching = false;
      this.total = 0;
      this.atLeast = false; // the total is a lower bound (counted up to a cap)
      this.pageIds = [];
    }

    count() {
      return this.matching ? this.total : this.chosen.size;
    }

    /* The key naming every match: "All 10,000+ ..." when the total is a lower bound. */
    allKey(key) {
      return this.atLeast ? key + "_at_least" : key;
    }

    target() {
      return this.matching ? { filter: this.filters() } : { execution_ids: Array.from(this.chosen) };
    }

    pick(ids, on) {
      if (this.matching) {
        this.matching = false;
        this.pageIds.forEach((id) => this.chosen.add(id));
      }
      ids.forEach((id) => (on ? this.chosen.add(id) : this.chosen.delete(id)));
    }

    show() {
      const count = this.count();
      const onPage = this.pageIds.filter((id) => this.chosen.has(id)).length;
      const pageBox = byId("sm-bulk-page");
      const key = this.matching ? this.allKey("logs.bulk_all_selected") : "logs.bulk_selected";
      byId("sm-bulk-count").textContent = count ? SM.tn(key, count) : SM.t("logs.bulk_none");
      pageBox.checked = this.pageIds.length > 0 && (this.matching || onPage === this.pageIds.length);
      pageBox.indeterminate = !pageBox.checked && onPage > 0;
      const offer = !this.matching && pageBox.checked && this.total > this.pageIds.length;
      byId("sm-bulk-all").classList.toggle("d-none", !offer);
      if (offer) byId("sm-bulk-all").textContent = SM.tn(this.allKey("logs.bulk_select_all"), this.total);
      byId("sm-bulk-none").classList.toggle("d-none", count === 0);
      byId("sm-bulk-export").disabled = count === 0;
      byId("sm-bulk-delete").disabled = count === 0;
      for (const box of document.querySelectorAll("[data-bulk-run]")) {
        box.checked = this.matching || this.chosen.has(box.dataset.bulkRun);
      }
    }
  }

  function init({ filters, reload }) {
    const selection = new Selection(filters);
    const state = { action: null, busy: false };
    const modalElement = byId("sm-bulk-modal");
    dialog.modal = bootstrap.Modal.getOrCreateInstance(modalElement);

    function checkbox(run) {
      const box = document.createElement("input");
      box.type = "checkbox";
      box.className = "form-check-input";
      box.dataset.bulkRun = run.execution_id;
      box.setAttribute("aria-label", SM.t("logs.select_run", { name: run.script_name || run.execution_id }));
      box.checked = selection.matching || selection.chosen.has(run.execution_id);
      box.addEventListener("change", () => {
        selection.pick([run.execution_id], box.checked);
        selection.show();
      });
      const cell = document.createElement("td");
      cell.appendChild(box);
      return cell;
    }

    function loaded(items, total, atLeast) {
      selection.pageIds = items.map((item) => item.execution_id);
      selection.total = total;
      selection.atLeast = Boolean(atLeast);
      selection.show();
    }

    function reset() {
      selection.chosen.clear();
      selection.matching = false;
      selection.show();
    }

    async function run() {
      if (state.busy) return;
      state.busy = true;
      const action = state.action;
      try {
        const target = selection.target();
        const result = action === "delete" ? await deleteRuns(target) : await exportRuns(target);
        dialog.finish(summary(action, result));
        if (action === "delete") reset();
      } catch (error) {
        dialog.finish([error.message]);
      } finally {
        state.busy = false;
        if (action === "delete") await reload();
      }
    }

    byId("sm-bulk-page").addEventListener("change", (event) => {
      selection.pick(selection.pageIds, event.target.checked);
      selection.show();
    });
    byId("sm-bulk-all").addEventListener("click", () => {
      selection.matching = true;
      selection.show();
    });
    byId("sm-bulk-none").addEventListener("click", reset);
    for (const action of ["export", "delete"]) {
      byId("sm-bulk-" + action).addEventListener("click", () => {
        state.action = action;
        dialog.ask(action, selection.count());
      });
    }
    byId("sm-bulk-go").addEventListener("click", run);
    modalElement.addEventListener("hide.bs.modal", (event) => {
      if (state.busy) event.preventDefault(); // the work goes on until its answer
    });
    selection.show();
    return { checkbox, loaded, reset };
  }

  window.SM.logsBulk = { init };
})();
