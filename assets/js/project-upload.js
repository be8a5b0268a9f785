/* Uploads to a project: several files from the picker or dropped on the files card, one
   request each (so the size limit and quota answer per file), one progress bar for all,
   and a list of what could not be uploaded and why. */
(function () {
  "use strict";

  const page = SM.projectFiles;
  const input = document.getElementById("sm-upload-input");
  if (!page || !input) return;
  const maxUpload = Number(document.getElementById("sm-project-files").dataset.maxUpload) || 0;
  const button = document.getElementById("sm-upload-button");
  const card = document.getElementById("sm-files-card");
  const progress = document.getElementById("sm-upload-progress");
  const label = document.getElementById("sm-upload-label");
  const figures = document.getElementById("sm-upload-figures");
  const bar = document.getElementById("sm-upload-bar");
  const fill = bar.querySelector(".progress-bar");
  const errors = document.getElementById("sm-upload-errors");
  const errorList = document.getElementById("sm-upload-error-list");

  function showErrors(messages) {
    errorList.replaceChildren(
      ...messages.map((message) => {
        const item = document.createElement("li");
        item.textContent = message;
        return item;
      }),
    );
    errors.classList.toggle("d-none", messages.length === 0);
  }

  function setProgress(sent, total) {
    const percent = total ? Math.min(100, Math.round((100 * sent) / total)) : 100;
    fill.style.width = percent + "%";
    bar.setAttribute("aria-valuenow", String(percent));
    const values = { sent: SM.bytes(sent), total: SM.bytes(total) };
    figures.textContent = SM.t("project_files.progress", values);
  }

  function tooLarge(file) {
    return SM.t("project_files.too_large", { name: file.name, limit: SM.bytes(maxUpload) });
  }

  function problem(file, error) {
    if (error.status === 413) return tooLarge(file);
    if (error.field === "files") return error.message; // the answer names the file itself
    return SM.t("project_files.upload_failed", { name: file.name, message: error.message });
  }

  function sendOne(file, done, total) {
    const form = new FormData();
    form.append("files", file, file.name);
    label.textContent = SM.t("project_files.uploading", { name: file.name });
    return SM.uploadWithProgress(page.base + "/files", form, (loaded, size) =>
      setProgress(done + (size ? loaded / size : 1) * file.size, total),
    );
  }

  async function sendAll(files, messages) {
    const total = files.reduce((sum, file) => sum + file.size, 0);
    let done = 0;
    let saved = 0;
    setProgress(0, total);
    for (const [index, file] of files.entries()) {
      try {
        await sendOne(file, done, total);
        saved += 1;
      } catch (error) {
        messages.push(problem(file, error));
        const rest = files.slice(index + 1).map((other) => other.name);
        if (error.status === 507 && rest.length) {
          messages.push(SM.t("project_files.not_sent", { names: rest.join(", ") }));
          break; // the quota is used up: the others would be refused too
        }
      }
      done += file.size;
      setProgress(done, total);
    }
    return saved;
  }

  async function upload(list) {
    const chosen = Array.from(list || []);
    if (!chosen.length) return;
    const messages = chosen.filter((file) => maxUpload && file.size > maxUpload).map(tooLarge);
    const sending = chosen.filter((file) => !maxUpload || file.size <= maxUpload);
    button.disabled = true;
    progress.classList.toggle("d-none", sending.length === 0);
    const saved = sending.length ? await sendAll(sending, messages) : 0;
    progress.classList.add("d-none");
    button.disabled = false;
    input.value = "";
    showErrors(messages);
    if (saved) SM.toast(SM.tn("project_files.uploaded", saved), "success");
    await page.reload();
  }

  function carriesFiles(event) {
    return Array.from(event.dataTransfer ? event.dataTransfer.types : []).includes("Files");
  }

  button.addEventListener("click", () => input.click());
  input.addEventListener("change", () => upload(input.files));
  document.getElementById("sm-upload-errors-close").addEventListener("click", () => showErrors([]));
  for (const name of ["dragenter", "dragover"]) {
    card.addEventListener(name, (event) => {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      card.classList.add("sm-drop-active");
    });
  }
  card.addEventListener("dragleave", (event) => {
    if (!card.contains(event.relatedTarget)) card.classList.remove("sm-drop-active");
  });
  card.addEventListener("drop", (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    card.classList.remove("sm-drop-active");
    upload(event.dataTransfer.files);
  });
})();
