/* The run form: fields generated from the parameters' JSON Schema, project choice, history. */
(function () {
  "use strict";

  const root = document.getElementById("sm-run");
  if (!root) return;
  const scriptId = root.dataset.scriptId;
  const groupId = root.dataset.groupId;
  const form = document.getElementById("sm-run-form");
  const fieldsBox = document.getElementById("sm-run-fields");
  const projectSelect = document.getElementById("sm-run-project");
  const errorBox = document.getElementById("sm-run-error");
  const historyBody = document.getElementById("sm-history-body");
  const runConsole = new SM.LiveConsole(document.getElementById("sm-console"), {
    onFinished: () => loadHistory(),
  });
  let schema = { properties: {}, required: [] };
  let dynamic = null; // the fields whose options a command lists (dynamic-options.js)
  let usable = false; // a project is chosen and no run is being started
  let formReady;
  const ready = new Promise((resolve) => (formReady = resolve));

  function el(tag, attributes, text) {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value !== undefined && value !== null && value !== false) element.setAttribute(name, value === true ? "" : value);
    }
    if (text !== undefined) element.textContent = text;
    return element;
  }

  function input(name, prop) {
    const kind = prop["x-type"];
    const id = "param-" + name;
    if (kind === "text") return el("textarea", { id, name, class: "form-control", rows: 4, maxlength: prop.maxLength });
    if (kind === "bool") {
      const wrap = el("div", { class: "form-check form-switch mt-1" });
      wrap.appendChild(el("input", { id, name, type: "checkbox", class: "form-check-input", role: "switch" }));
      return wrap;
    }
    if (kind === "select") {
      const select = el("select", { id, name, class: "form-select" });
      if (!schema.required.includes(name)) select.appendChild(el("option", { value: "" }, "—"));
      (prop.enum || []).forEach((option) => select.appendChild(el("option", { value: option }, option)));
      return select;
    }
    if (kind === "multiselect") {
      const group = el("div", { id, class: "d-flex flex-wrap gap-3 mt-1", "data-multiselect": name });
      (prop.items.enum || []).forEach((option, index) => {
        const box = el("div", { class: "form-check" });
        box.appendChild(el("input", { class: "form-check-input", type: "checkbox", value: option, id: id + "-" + index }));
        box.appendChild(el("label", { class: "form-check-label", for: id + "-" + index }, option));
        group.appendChild(box);
      });
      return group;
    }
    if (kind === "file") return el("input", { id, name, type: "file", class: "form-control" });
    if (kind === "path") {
      const field = el("input", { id, name, class: "form-control", list: id + "-files", autocomplete: "off" });
      const list = el("datalist", { id: id + "-files", "data-path-list": "1" });
      const wrap = el("div");
      wrap.append(field, list);
      return wrap;
    }
    const types = { int: "number", float: "number", date: "date", secret: "password" };
    return el("input", {
      id, name,
      type: types[kind] || "text",
      class: "form-control",
      step: prop["x-step"] || (kind === "int" ? "1" : kind === "float" ? "any" : undefined),
      min: prop.minimum, max: prop.maximum,
      minlength: prop.minLength, maxlength: prop.maxLength,
      pattern: prop.pattern,
      autocomplete: kind === "secret" ? "new-password" : undefined,
    });
  }

  // The rules a value must follow, in words: "between 1 and 100, step 0.5".
  function boundsText(prop) {
    const kind = prop["x-type"];
    const low = prop.minimum ?? prop.minLength ?? prop.minItems;
    const high = prop.maximum ?? prop.maxLength ?? prop.maxItems;
    const family = kind === "int" || kind === "float" ? "form.value" : kind === "multiselect" ? "form.choose" : "form.length";
    const parts = [];
    if (low !== undefined && high !== undefined) parts.push(SM.t(family + "_between", { min: low, max: high }));
    else if (low !== undefined) parts.push(SM.t(family + "_at_least", { min: low }));
    else if (high !== undefined) parts.push(SM.t(family + "_at_most", { max: high }));
    if (prop["x-step"] !== undefined) parts.push(SM.t("form.step", { step: prop["x-step"] }));
    if (prop.pattern) parts.push(SM.t("form.pattern", { pattern: prop.pattern }));
    return parts.join(", ");
  }

  function buildFields() {
    fieldsBox.replaceChildren();
    const entries = Object.entries(schema.properties);
    document.getElementById("sm-run-no-params").classList.toggle("d-none", entries.length > 0);
    for (const [name, prop] of entries) {
      const required = schema.required.includes(name) || prop["x-required"];
      const column = el("div", { class: prop["x-type"] === "text" ? "col-12" : "col-md-6", "data-field": name });
      const label = el("label", { class: "form-label", for: "param-" + name }, prop.title + (required ? " *" : ""));
      column.appendChild(label);
      const control = input(name, prop);
      if (prop["x-unit"]) {
        const group = el("div", { class: "input-group" });
        group.append(control, el("span", { class: "input-group-text" }, prop["x-unit"]));
        column.appendChild(group);
      } else {
        column.appendChild(control);
      }
      if (prop.description) column.appendChild(el("div", { class: "form-text" }, prop.description));
      const bounds = boundsText(prop);
      if (bounds) column.appendChild(el("div", { class: "form-text", "data-bounds-for": name }, bounds));
      column.appendChild(el("div", { class: "invalid-feedback d-block d-none", "data-error-for": name }));
      fieldsBox.appendChild(column);
    }
    setValues(Object.fromEntries(entries.map(([name, prop]) => [name, prop.default])));
    fieldsBox.addEventListener("input", applyVisibility);
    fieldsBox.addEventListener("change", applyVisibility);
  }

  function control(name) {
    return document.getElementById("param-" + name);
  }

  function setValues(values) {
    for (const [name, prop] of Object.entries(schema.properties)) {
      const value = values[name];
      const kind = prop["x-type"];
      if (kind === "file" || kind === "secret" || value === undefined || value === null) continue;
      if (kind === "bool") control(name).checked = value === true || value === "true";
      else if (kind === "multiselect") {
        const chosen = Array.isArray(value) ? value.map(String) : String(value).split(",");
        control(name).querySelectorAll("input").forEach((box) => (box.checked = chosen.includes(box.value)));
      } else control(name).value = String(value);
      // A dynamic field takes the value once its options are listed (they may change now).
      if (prop["x-options-from"]) control(name).dataset.wanted = Array.isArray(value) ? value.join(",") : String(value);
    }
    applyVisibility();
    if (dynamic) dynamic.refresh();
  }

  function updateSubmit() {
    document.getElementById("sm-run-submit").disabled = !usable || (dynamic !== null && dynamic.blocking());
  }

  function defaults() {
    return Object.fromEntries(Object.entries(schema.properties).map(([name, prop]) => [name, prop.default]));
  }

  function clearValues() {
    for (const [name, prop] of Object.entries(schema.properties)) {
      const kind = prop["x-type"];
      const field = control(name);
      if (kind === "file" || kind === "secret") continue;
      if (kind === "bool") field.checked = false;
      else if (kind === "multiselect") field.querySelectorAll("input").forEach((box) => (box.checked = false));
      else field.value = "";
    }
  }

  // A preset fills the whole form: each field it leaves out goes back to its default.
  function fill(values) {
    clearValues();
    setValues({ ...defaults(), ...values });
  }

  function readValues() {
    const values = {};
    for (const [name, prop] of Object.entries(schema.properties)) {
      const kind = prop["x-type"];
      const field = control(name);
      if (kind === "file") continue;
      if (kind === "bool") values[name] = field.checked;
      else if (kind === "multiselect") {
        values[name] = Array.from(field.querySelectorAll("input:checked")).map((box) => box.value);
      } else if (field.value !== "") {
        values[name] = kind === "int" ? parseInt(field.value, 10) : kind === "float" ? Number(field.value) : field.value;
      }
    }
    return values;
  }

  function applyVisibility() {
    const values = readValues();
    for (const [name, prop] of Object.entries(schema.properties)) {
      const rule = prop["x-visible-if"];
      if (!rule) continue;
      const visible = "equals" in rule ? values[rule.field] === rule.equals : (rule.in || []).includes(values[rule.field]);
      fieldsBox.querySelector(`[data-field="${name}"]`).classList.toggle("d-none", !visible);
    }
  }

  function showError(error) {
    fieldsBox.querySelectorAll("[data-error-for]").forEach((box) => box.classList.add("d-none"));
    fieldsBox.querySelectorAll(".is-invalid").forEach((field) => field.classList.remove("is-invalid"));
    const fieldBox = error.field && fieldsBox.querySelector(`[data-error-for="${error.field}"]`);
    if (fieldBox) {
      if (control(error.field)) control(error.field).classList.add("is-invalid");
      fieldBox.textContent = error.message;
      fieldBox.classList.remove("d-none");
      errorBox.classList.add("d-none");
    } else {
      errorBox.textContent = error.message;
      errorBox.classList.remove("d-none");
    }
  }

  async function loadProjects() {
    const projects = (await SM.api.get("/api/projects?group_id=" + groupId)).items;
    const active = (await SM.api.get("/api/projects/active?group_id=" + groupId)).project;
    projectSelect.replaceChildren(
      ...projects.map((project) => el("option", { value: project.id, selected: project.id === active.id }, project.project_name)),
    );
    await loadProjectFiles();
  }

  async function loadProjectFiles() {
    const lists = fieldsBox.querySelectorAll("[data-path-list]");
    if (!lists.length) return;
    const files = (await SM.api.get(`/api/data/${groupId}/${projectSelect.value}/files`)).items;
    lists.forEach((list) => list.replaceChildren(...files.map((file) => el("option", { value: file.name }))));
  }

  projectSelect.addEventListener("change", async () => {
    await SM.api.post("/api/projects/" + projectSelect.value + "/set-active");
    await loadProjectFiles();
  });

  document.getElementById("sm-project-new").addEventListener("click", async () => {
    const name = window.prompt(SM.t("run.project_name"));
    if (!name) return;
    try {
      const created = await SM.api.post("/api/projects", { project_name: name.trim(), group_id: Number(groupId) });
      await SM.api.post("/api/projects/" + created.project.id + "/set-active");
      await loadProjects();
    } catch (error) {
      SM.toast(error.message, "danger");
    }
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    errorBox.classList.add("d-none");
    if (!form.reportValidity()) return;
    const parameters = readValues();
    const files = Array.from(fieldsBox.querySelectorAll("input[type=file]")).filter((f) => f.files.length);
    usable = false;
    updateSubmit();
    try {
      let result;
      if (files.length) {
        const body = new FormData();
        body.append("parameters", JSON.stringify(parameters));
        body.append("project_id", projectSelect.value);
        files.forEach((field) => body.append(field.name, field.files[0]));
        result = await SM.api.upload("/api/scripts/" + scriptId + "/execute", body);
      } else {
        result = await SM.api.post("/api/scripts/" + scriptId + "/execute", {
          parameters,
          project_id: Number(projectSelect.value),
        });
      }
      runConsole.start(result.execution_id, scriptId, null, root.dataset.autoOpen === "true");
      loadHistory();
    } catch (error) {
      showError(error);
    } finally {
      usable = true;
      updateSubmit();
    }
  });

  async function loadHistory() {
    const runs = (await SM.api.get("/api/logs/script/" + scriptId + "?per_page=10")).items;
    document.getElementById("sm-history-empty").classList.toggle("d-none", runs.length > 0);
    historyBody.replaceChildren(
      ...runs.map((run) => {
        const row = el("tr");
        const status = el("span");
        SM.statusBadge(status, run.status);
        const link = el("a", { href: "/logs/" + run.execution_id }, new Date(run.start_time).toLocaleString(document.documentElement.lang));
        const rerun = el("button", { type: "button", class: "btn btn-sm btn-outline-primary", title: SM.t("run.rerun") });
        rerun.appendChild(el("i", { class: "bi bi-arrow-repeat" }));
        rerun.addEventListener("click", () => {
          setValues(run.parameters);
          form.scrollIntoView({ behavior: "smooth" });
        });
        const cells = [link, status, run.duration_seconds === null ? "—" : SM.formatDuration(run.duration_seconds), rerun];
        cells.forEach((content) => {
          const cell = el("td");
          if (typeof content === "string") cell.textContent = content;
          else cell.appendChild(content);
          row.appendChild(cell);
        });
        return row;
      }),
    );
  }

  async function init() {
    schema = await SM.api.get("/api/scripts/" + scriptId + "/parameters-schema");
    buildFields();
    dynamic = SM.dynamicOptions.attach({ scriptId, schema, box: fieldsBox, readValues, onState: updateSubmit });
    formReady();
    await loadProjects();
    // The form is usable once a project is chosen (and every required dynamic field has
    // options); the button stays disabled until then.
    usable = true;
    updateSubmit();
    await loadHistory();
    const params = new URLSearchParams(window.location.search);
    if (params.get("rerun")) {
      const previous = await SM.api.get("/api/logs/execution/" + params.get("rerun"));
      setValues(previous.parameters);
    }
    const status = await SM.api.get("/api/scripts/" + scriptId + "/status");
    if (status.running.length) {
      const latest = status.running[status.running.length - 1];
      runConsole.start(latest.execution_id, scriptId, latest.start_time, false);
      const sessions = (await SM.api.get("/api/scripts/" + scriptId + "/interface-status")).items;
      const live = sessions.find((s) => s.execution_id === latest.execution_id && s.status === "ready");
      if (live) runConsole.interfaceChanged(live);
    }
  }

  // What other modules of the page (the presets) use to read and fill the form.
  SM.runForm = { ready, fill, read: readValues };
  init().catch((error) => SM.toast(error.message, "danger"));
})();
