/* Saved filters of the Logs page: apply one (it fills the filters and the address), save
   the current filters under a name, delete one.

   SM.logPresets.init({current: () => filters, apply: (filters) => {}}) */
(function () {
  "use strict";

  function init({ current, apply }) {
    const list = document.getElementById("sm-presets-list");
    const empty = document.getElementById("sm-presets-empty");
    const name = document.getElementById("sm-preset-name");
    const toggle = document.getElementById("sm-presets-toggle");

    function entry(preset) {
      const item = document.createElement("li");
      item.className = "d-flex align-items-center gap-1";
      item.dataset.presetId = preset.id;
      const use = document.createElement("button");
      use.type = "button";
      use.className = "dropdown-item rounded sm-preset-apply";
      use.textContent = preset.name;
      use.addEventListener("click", () => {
        bootstrap.Dropdown.getOrCreateInstance(toggle).hide();
        apply(preset.filters);
        SM.toast(SM.t("logs.preset_applied", { name: preset.name }), "success");
      });
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "btn btn-sm btn-link text-danger p-1";
      remove.setAttribute("aria-label", SM.t("logs.preset_delete", { name: preset.name }));
      remove.title = remove.getAttribute("aria-label");
      remove.innerHTML = '<i class="bi bi-trash"></i>';
      remove.addEventListener("click", () => drop(preset));
      item.append(use, remove);
      return item;
    }

    async function refresh() {
      try {
        const items = (await SM.api.get("/api/logs/filters")).items;
        list.replaceChildren(...items.map(entry));
        empty.classList.toggle("d-none", items.length > 0);
      } catch (error) {
        SM.toast(error.message, "danger");
      }
    }

    async function save() {
      const wanted = name.value.trim();
      if (!wanted) {
        name.focus();
        return;
      }
      try {
        const answer = await SM.api.post("/api/logs/filters", { name: wanted, filters: current() });
        name.value = "";
        SM.toast(SM.t("logs.preset_saved", { name: answer.preset.name }), "success");
        await refresh();
      } catch (error) {
        SM.toast(error.message, "danger");
      }
    }

    async function drop(preset) {
      if (!window.confirm(SM.t("logs.preset_confirm_delete", { name: preset.name }))) return;
      try {
        await SM.api.del("/api/logs/filters/" + preset.id);
        SM.toast(SM.t("logs.preset_deleted", { name: preset.name }), "success");
        await refresh();
      } catch (error) {
        SM.toast(error.message, "danger");
      }
    }

    document.getElementById("sm-preset-save").addEventListener("click", save);
    name.addEventListener("keydown", (event) => {
      if (event.key !== "Enter") return;
      event.preventDefault(); // not the filter form's submit
      save();
    });
    refresh();
  }

  window.SM.logPresets = { init };
})();
