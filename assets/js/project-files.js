/* A project's files: a table sortable by name, size and date (sizes in binary units, dates
   in the user's locale), a download (always an attachment) and a delete per file, and
   "Download all" as one zip. SM.projectFiles shares the page's parts with
   project-upload.js and project-backups.js. */
(function () {
  "use strict";

  const root = document.getElementById("sm-project-files");
  const base = root.dataset.base;
  const canWrite = root.dataset.canWrite === "1";
  const language = document.documentElement.lang || "en";
  const body = document.getElementById("sm-files-body");
  const table = document.getElementById("sm-files-table");
  const empty = document.getElementById("sm-files-empty");
  const loading = document.getElementById("sm-files-loading");
  const summary = document.getElementById("sm-files-summary");
  const downloadAll = document.getElementById("sm-download-all");
  const headers = table.querySelectorAll("th[data-sort]");
  const sort = { key: "name", descending: false };
  let files = [];

  function localTime(value) {
    const when = new Date(value);
    if (Number.isNaN(when.getTime())) return value;
    return when.toLocaleString(language, { dateStyle: "medium", timeStyle: "short" });
  }

  function cell(content, className) {
    const td = document.createElement("td");
    if (className) td.className = className;
    td.append(content);
    return td;
  }

  function timeElement(value) {
    const element = document.createElement("time");
    element.dateTime = value;
    element.textContent = localTime(value);
    return element;
  }

  function withIcon(element, icon, label) {
    element.className = "btn btn-sm btn-outline-secondary";
    element.title = label;
    element.setAttribute("aria-label", label);
    const glyph = document.createElement("i");
    glyph.className = "bi " + icon;
    glyph.setAttribute("aria-hidden", "true");
    element.appendChild(glyph);
    return element;
  }

  function downloadLink(href, name) {
    const label = SM.t("project_files.download", { name });
    const link = withIcon(document.createElement("a"), "bi-download", label);
    link.href = href;
    link.download = name.split("/").pop();
    link.dataset.action = "download";
    return link;
  }

  function deleteButton(name, onClick) {
    const label = SM.t("project_files.delete", { name });
    const button = withIcon(document.createElement("button"), "bi-trash", label);
    button.type = "button";
    button.classList.replace("btn-outline-secondary", "btn-outline-danger");
    button.dataset.action = "delete";
    button.addEventListener("click", onClick);
    return button;
  }

  function actions(...controls) {
    const box = document.createElement("div");
    box.className = "d-inline-flex gap-1";
    box.append(...controls);
    return box;
  }

  function sizeText(size) {
    const text = document.createElement("span");
    text.textContent = SM.bytes(size);
    text.title = size.toLocaleString(language) + " B";
    return text;
  }

  function fileUrl(name) {
    return base + "/" + name.split("/").map(encodeURIComponent).join("/");
  }

  function fileRow(file) {
    const tr = document.createElement("tr");
    tr.dataset.name = file.name;
    const name = document.createElement("span");
    name.className = "font-monospace small text-break";
    name.textContent = file.name;
    const controls = [downloadLink(fileUrl(file.name) + "?download=1", file.name)];
    if (canWrite) controls.push(deleteButton(file.name, () => remove(file)));
    tr.append(
      cell(name),
      cell(sizeText(file.size), "text-end text-nowrap"),
      cell(timeElement(file.modified), "text-nowrap"),
      cell(actions(...controls), "text-end text-nowrap"),
    );
    return tr;
  }

  function compare(a, b) {
    if (sort.key === "size") return a.size - b.size;
    if (sort.key === "modified") return Date.parse(a.modified) - Date.parse(b.modified);
    return a.name.localeCompare(b.name, language, { numeric: true, sensitivity: "base" });
  }

  function showSort() {
    for (const header of headers) {
      const active = header.dataset.sort === sort.key;
      const direction = sort.descending ? "descending" : "ascending";
      header.setAttribute("aria-sort", active ? direction : "none");
      const icon = header.querySelector("i");
      const arrow = sort.descending ? "bi-caret-down-fill" : "bi-caret-up-fill";
      icon.className = active ? "bi " + arrow : "bi";
    }
  }

  function render() {
    const ordered = [...files].sort(compare);
    if (sort.descending) ordered.reverse();
    body.replaceChildren(...ordered.map(fileRow));
    const total = files.reduce((sum, file) => sum + file.size, 0);
    loading.classList.add("d-none");
    table.classList.toggle("d-none", files.length === 0);
    empty.classList.toggle("d-none", files.length > 0);
    const count = SM.tn("project_files.count", files.length);
    summary.textContent = files.length ? count + " · " + SM.bytes(total) : "";
    downloadAll.classList.toggle("disabled", files.length === 0);
    downloadAll.setAttribute("aria-disabled", String(files.length === 0));
    showSort();
  }

  async function load() {
    try {
      files = (await SM.api.get(base + "/files")).items;
      render();
    } catch (error) {
      loading.textContent = error.message;
      SM.toast(error.message, "danger");
    }
  }

  async function remove(file) {
    if (!window.confirm(SM.t("project_files.confirm_delete", { name: file.name }))) return;
    try {
      await SM.api.del(fileUrl(file.name));
      SM.toast(SM.t("project_files.deleted", { name: file.name }), "success");
    } catch (error) {
      SM.toast(error.message, "danger");
    }
    await load();
  }

  for (const button of table.querySelectorAll("button[data-sort]")) {
    button.addEventListener("click", () => {
      const key = button.dataset.sort;
      sort.descending = key === sort.key ? !sort.descending : key !== "name";
      sort.key = key;
      render();
    });
  }

  SM.projectFiles = {
    base,
    canWrite,
    cell,
    timeElement,
    sizeText,
    downloadLink,
    deleteButton,
    actions,
    reload: load,
  };
  load();
})();
