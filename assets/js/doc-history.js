/* Documentation history on the script page: versions, their diffs, restoring one. */
(function () {
  "use strict";

  const root = document.getElementById("sm-script");
  const modalElement = document.getElementById("sm-doc-history-modal");
  if (!root || !modalElement) return;
  // At the top of the page, so no tab pane's stacking context can hide it under its backdrop.
  document.body.appendChild(modalElement);

  const base = "/api/scripts/" + root.dataset.scriptId + "/docs/history";
  const PER_PAGE = 50;
  const rows = document.getElementById("sm-doc-history-rows");
  const empty = document.getElementById("sm-doc-history-empty");
  const more = document.getElementById("sm-doc-history-more");
  const diffTitle = document.getElementById("sm-doc-history-diff-title");
  const diffBox = document.getElementById("sm-doc-history-diff");
  const confirmBox = document.getElementById("sm-doc-history-confirm");
  const confirmText = document.getElementById("sm-doc-history-confirm-text");
  const SOURCES = {
    edit: SM.t("doc_history.source_edit"),
    restore: SM.t("doc_history.source_restore"),
    file: SM.t("doc_history.source_file"),
  };
  const DATE_FORMAT = { dateStyle: "short", timeStyle: "medium" };
  const SIGNS = { added: "+", removed: "-", context: " ", hunk: "" };
  let language = root.dataset.language;
  let page = 1;
  let restoring = null;

  function currentLanguage() {
    const active = document.querySelector("[data-doc-language].active");
    return active ? active.dataset.docLanguage : root.dataset.language;
  }

  function cell(content, className) {
    const td = document.createElement("td");
    if (className) td.className = className;
    if (content instanceof Node) td.appendChild(content);
    else td.textContent = content;
    return td;
  }

  function button(label, kind, action, onClick) {
    const element = document.createElement("button");
    element.type = "button";
    element.dataset.action = action;
    element.className = "btn btn-sm btn-outline-" + kind;
    element.textContent = label;
    element.addEventListener("click", onClick);
    return element;
  }

  function versionRow(item) {
    const row = document.createElement("tr");
    row.dataset.version = item.version;
    const locale = document.documentElement.lang;
    const when = new Date(item.created).toLocaleString(locale, DATE_FORMAT);
    const actions = document.createElement("div");
    actions.className = "d-flex gap-1 justify-content-end";
    actions.append(
      button(SM.t("doc_history.diff"), "primary", "diff", () => {
        showDiff(item.version).catch(failed);
      }),
      button(SM.t("doc_history.restore"), "warning", "restore", () => askRestore(item.version)),
    );
    row.append(
      cell(String(item.version)),
      cell(when, "text-nowrap"),
      cell(item.author || "—"),
      cell(SOURCES[item.source] || item.source),
      cell(actions),
    );
    return row;
  }

  async function loadPage(first) {
    const wanted = first ? 1 : page + 1;
    const query = "?lang=" + language + "&page=" + wanted + "&per_page=" + PER_PAGE;
    const listed = await SM.api.get(base + query);
    page = wanted;
    if (first) rows.replaceChildren();
    rows.append(...listed.items.map(versionRow));
    empty.classList.toggle("d-none", listed.total > 0);
    more.classList.toggle("d-none", page * PER_PAGE >= listed.total);
  }

  function diffLine(line) {
    const element = document.createElement("div");
    element.className = "sm-diff-line sm-diff-" + line.kind;
    const sign = document.createElement("span");
    sign.className = "sm-diff-sign";
    sign.textContent = SIGNS[line.kind] || "";
    const text = document.createElement("span");
    text.textContent = line.text;
    element.append(sign, text);
    return element;
  }

  async function showDiff(version) {
    const diff = await SM.api.get(base + "/" + version + "/diff?lang=" + language);
    diffTitle.textContent =
      diff.from === null
        ? SM.t("doc_history.diff_title_first", { to: diff.to })
        : SM.t("doc_history.diff_title", { from: diff.from, to: diff.to });
    if (!diff.lines.length) {
      const none = document.createElement("div");
      none.className = "sm-diff-line sm-diff-none";
      none.textContent = SM.t("doc_history.no_changes");
      diffBox.replaceChildren(none);
    } else {
      diffBox.replaceChildren(...diff.lines.map(diffLine));
    }
    diffBox.classList.remove("d-none");
    rows.querySelectorAll("tr").forEach((row) => {
      row.classList.toggle("table-active", row.dataset.version === String(version));
    });
  }

  function askRestore(version) {
    restoring = version;
    confirmText.textContent = SM.t("doc_history.confirm", { version });
    confirmBox.classList.remove("d-none");
  }

  function closeConfirm() {
    restoring = null;
    confirmBox.classList.add("d-none");
  }

  async function restore() {
    const version = restoring;
    if (version === null) return;
    await SM.api.post(base + "/" + version + "/restore", { language });
    closeConfirm();
    bootstrap.Modal.getOrCreateInstance(modalElement).hide();
    // The docs tab reloads its document (and leaves the editor) through its own controls.
    const editor = document.getElementById("sm-doc-editor");
    if (editor && !editor.classList.contains("d-none")) {
      document.getElementById("sm-doc-cancel").click();
    }
    const active = document.querySelector("[data-doc-language=" + language + "]");
    if (active) active.click();
    SM.toast(SM.t("doc_history.restored", { version }), "success");
  }

  function failed(error) {
    SM.toast(error.message, "danger");
  }

  modalElement.addEventListener("show.bs.modal", () => {
    language = currentLanguage();
    document.getElementById("sm-doc-history-language").textContent = language.toUpperCase();
    closeConfirm();
    diffTitle.textContent = SM.t("doc_history.pick");
    diffBox.classList.add("d-none");
    loadPage(true).catch(failed);
  });
  more.addEventListener("click", () => loadPage(false).catch(failed));
  document.getElementById("sm-doc-history-confirm-cancel").addEventListener("click", closeConfirm);
  document.getElementById("sm-doc-history-confirm-go").addEventListener("click", () => {
    restore().catch(failed);
  });
})();
