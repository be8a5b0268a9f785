/* Logs page filters kept in the address: the page opens on the view its query string
   names, and each change rewrites it (history.replaceState), so a copied address opens the
   same view. Also fills the script, project and (admins) user choices.

   SM.logFilters.values(form) → {name: text} of the filled fields
   SM.logFilters.fill(form, filters) → every named field set from filters (empty if absent)
   SM.logFilters.fromUrl(defaults) → {filters, view: {page, sort, order}}
   SM.logFilters.toUrl(form, view, defaults) → the address follows the view
   SM.logFilters.fillChoices(form) → Promise of {project id: project name} */
(function () {
  "use strict";

  const VIEW_KEYS = ["page", "sort", "order"];

  function fields(form) {
    return Array.from(form.elements).filter((element) => element.name);
  }

  function values(form) {
    const found = {};
    for (const element of fields(form)) {
      if (element.type === "checkbox") {
        if (element.checked) found[element.name] = element.value;
      } else if (String(element.value).trim() !== "") {
        found[element.name] = String(element.value).trim();
      }
    }
    return found;
  }

  /* A value the choices lack (a script no longer visible) stays chosen, shown by its id. */
  function ensureOption(select, value) {
    if (!value || Array.from(select.options).some((option) => option.value === value)) return;
    select.appendChild(option(value, "#" + value));
  }

  function fill(form, filters) {
    for (const element of fields(form)) {
      const value = filters[element.name] === undefined ? "" : String(filters[element.name]);
      if (element.type === "checkbox") {
        element.checked = value === element.value;
      } else {
        if (element.tagName === "SELECT") ensureOption(element, value);
        element.value = value;
      }
    }
  }

  function fromUrl(defaults) {
    const filters = {};
    const view = { ...defaults };
    for (const [key, value] of new URLSearchParams(window.location.search)) {
      if (key === "page") view.page = Math.max(1, parseInt(value, 10) || 1);
      else if (VIEW_KEYS.includes(key)) view[key] = value;
      else filters[key] = value;
    }
    return { filters, view };
  }

  function toUrl(form, view, defaults) {
    const params = new URLSearchParams(values(form));
    for (const key of VIEW_KEYS) {
      if (view[key] !== defaults[key]) params.set(key, view[key]);
    }
    const search = params.toString();
    const address = window.location.pathname + (search ? "?" + search : "");
    if (address !== window.location.pathname + window.location.search) {
      history.replaceState(history.state, "", address);
    }
  }

  function option(value, label) {
    const element = document.createElement("option");
    element.value = String(value);
    element.textContent = label;
    return element;
  }

  function byLabel(a, b) {
    return a.textContent.localeCompare(b.textContent, document.documentElement.lang);
  }

  async function fillChoices(form) {
    const groups = (await SM.api.get("/api/script-groups")).items;
    const [scriptLists, projects] = await Promise.all([
      Promise.all(groups.map((group) => SM.api.get("/api/script-groups/" + group.id + "/scripts"))),
      SM.api.get("/api/projects"),
    ]);
    const groupNames = Object.fromEntries(groups.map((group) => [group.id, group.name]));
    const scripts = scriptLists.flatMap((list) => list.items);
    form.elements.script_id.append(
      ...scripts.map((s) => option(s.id, s.display_name + " (" + s.group_name + ")")).sort(byLabel),
    );
    const label = (p) => (groupNames[p.group_id] ? groupNames[p.group_id] + " · " : "") + p.project_name;
    form.elements.project_id.append(...projects.items.map((p) => option(p.id, label(p))).sort(byLabel));
    if (form.elements.user_id) {
      const users = await SM.api.get("/api/admin/users?per_page=200");
      form.elements.user_id.append(...users.items.map((user) => option(user.id, user.username)));
    }
    return Object.fromEntries(projects.items.map((p) => [p.id, p.project_name]));
  }

  window.SM.logFilters = { values, fill, fromUrl, toUrl, fillChoices };
})();
