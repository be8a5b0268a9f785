/* Parameter presets on the run form: examples and the user's own sets fill the form. */
(function () {
  "use strict";

  const root = document.getElementById("sm-run");
  const select = document.getElementById("sm-preset-select");
  if (!root || !select || !SM.runForm) return;
  const base = "/api/scripts/" + root.dataset.scriptId + "/presets";
  const examplesGroup = document.getElementById("sm-preset-examples");
  const mineGroup = document.getElementById("sm-preset-mine");
  const renameButton = document.getElementById("sm-preset-rename");
  const deleteButton = document.getElementById("sm-preset-delete");
  const staleBox = document.getElementById("sm-preset-stale");
  const descriptionBox = document.getElementById("sm-preset-description");
  let presets = [];

  function chosen() {
    return presets.find((preset) => String(preset.id) === select.value) || null;
  }

  function option(preset) {
    const element = document.createElement("option");
    element.value = String(preset.id);
    element.textContent = preset.stale.length ? preset.name + " ⚠" : preset.name;
    return element;
  }

  async function load(selected) {
    presets = (await SM.api.get(base)).items;
    const examples = presets.filter((preset) => preset.source === "example");
    const mine = presets.filter((preset) => preset.source === "user");
    examplesGroup.replaceChildren(...examples.map(option));
    mineGroup.replaceChildren(...mine.map(option));
    examplesGroup.hidden = !examples.length;
    mineGroup.hidden = !mine.length;
    select.value = selected === undefined || selected === null ? "" : String(selected);
    if (!chosen()) select.value = "";
    showChoice();
  }

  function showChoice() {
    const preset = chosen();
    const own = preset !== null && preset.source === "user";
    renameButton.disabled = !own;
    deleteButton.disabled = !own;
    descriptionBox.textContent = (preset && preset.description) || "";
    const stale = preset ? preset.stale : [];
    staleBox.textContent = stale.length ? SM.t("presets.stale", { fields: stale.join(", ") }) : "";
    staleBox.classList.toggle("d-none", !stale.length);
  }

  function apply() {
    showChoice();
    const preset = chosen();
    if (!preset) return;
    const values = Object.fromEntries(Object.entries(preset.parameters).filter(([name]) => !preset.stale.includes(name)));
    SM.runForm.fill(values);
  }

  async function replaceValues(name) {
    const existing = presets.find((preset) => preset.source === "user" && preset.name === name);
    if (!existing || !window.confirm(SM.t("presets.replace_confirm", { name }))) return null;
    return (await SM.api.put(base + "/" + existing.id, { parameters: SM.runForm.read() })).preset;
  }

  async function save() {
    const name = (window.prompt(SM.t("presets.name_prompt")) || "").trim();
    if (!name) return;
    let saved;
    try {
      saved = (await SM.api.post(base, { name, parameters: SM.runForm.read() })).preset;
    } catch (error) {
      if (error.status !== 409 || error.field !== "name") throw error;
      saved = await replaceValues(name);
      if (!saved) return;
    }
    await load(saved.id);
    SM.toast(SM.t("presets.saved", { name: saved.name }), "success");
  }

  async function rename() {
    const preset = chosen();
    const name = (window.prompt(SM.t("presets.rename_prompt"), preset.name) || "").trim();
    if (!name || name === preset.name) return;
    const renamed = (await SM.api.put(base + "/" + preset.id, { name })).preset;
    await load(renamed.id);
    SM.toast(SM.t("presets.renamed", { name: renamed.name }), "success");
  }

  async function remove() {
    const preset = chosen();
    if (!window.confirm(SM.t("presets.delete_confirm", { name: preset.name }))) return;
    await SM.api.del(base + "/" + preset.id);
    await load(null);
    SM.toast(SM.t("presets.deleted", { name: preset.name }), "success");
  }

  function guarded(action) {
    return () => action().catch((error) => SM.toast(error.message, "danger"));
  }

  select.addEventListener("change", apply);
  document.getElementById("sm-preset-save").addEventListener("click", guarded(save));
  renameButton.addEventListener("click", guarded(rename));
  deleteButton.addEventListener("click", guarded(remove));
  SM.runForm.ready.then(() => load(null)).catch((error) => SM.toast(error.message, "danger"));
})();
