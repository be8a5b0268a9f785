/* Group page: search and filters, environment selector and refresh (developer+). */
(function () {
  "use strict";

  const items = Array.from(document.querySelectorAll(".sm-script-item"));
  const search = document.getElementById("sm-search");
  const categorySelect = document.getElementById("sm-filter-category");
  const tagSelect = document.getElementById("sm-filter-tag");
  const empty = document.getElementById("sm-no-scripts");

  function fillSelect(select, values) {
    Array.from(new Set(values))
      .filter(Boolean)
      .sort()
      .forEach((value) => {
        const option = document.createElement("option");
        option.value = value;
        option.textContent = value;
        select.appendChild(option);
      });
  }

  fillSelect(categorySelect, items.map((item) => item.dataset.category));
  fillSelect(tagSelect, items.flatMap((item) => item.dataset.tags.split(",")));

  function applyFilters() {
    const words = search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    const category = categorySelect.value;
    const tag = tagSelect.value;
    let shown = 0;
    items.forEach((item) => {
      const visible =
        words.every((word) => item.dataset.name.includes(word)) &&
        (!category || item.dataset.category === category) &&
        (!tag || item.dataset.tags.split(",").includes(tag));
      item.classList.toggle("d-none", !visible);
      if (visible) shown += 1;
    });
    empty.classList.toggle("d-none", shown > 0);
  }

  SM.interfacesList(items.map((item) => Number(item.dataset.scriptId)));

  search.addEventListener("input", applyFilters);
  categorySelect.addEventListener("change", applyFilters);
  tagSelect.addEventListener("change", applyFilters);

  const refresh = document.getElementById("sm-refresh");
  if (refresh) {
    refresh.addEventListener("click", async () => {
      refresh.disabled = true;
      try {
        await SM.api.get("/api/script-groups/" + refresh.dataset.groupId + "/refresh");
        window.location.reload();
      } catch (error) {
        SM.toast(error.message, "danger");
        refresh.disabled = false;
      }
    });
  }

  const envSelect = document.getElementById("sm-env-select");
  if (envSelect) {
    const groupId = document.getElementById("sm-env").dataset.groupId;
    const current = document.getElementById("sm-env-current");
    const message = document.getElementById("sm-env-message");
    SM.api
      .get("/api/conda/environments")
      .then((listing) => {
        listing.items.forEach((env) => {
          const option = document.createElement("option");
          option.value = env.kind === "manager" ? "" : env.name;
          option.textContent =
            (env.kind === "manager" ? SM.t("catalog.manager_python") : env.name) +
            (env.python_version ? " · Python " + env.python_version : "") +
            (env.available ? "" : " ✕");
          option.disabled = !env.available;
          option.selected = option.value === (current.dataset.value || "");
          envSelect.appendChild(option);
        });
        if (!listing.conda_available) message.textContent = listing.message || "";
      })
      .catch((error) => SM.toast(error.message, "danger"));
    document.getElementById("sm-env-save").addEventListener("click", async () => {
      try {
        const result = await SM.api.post("/api/script-groups/" + groupId + "/conda", {
          environment: envSelect.value || null,
        });
        current.textContent = result.group.conda_environment || SM.t("catalog.manager_python");
        SM.toast(SM.t("catalog.env_saved"), "success");
      } catch (error) {
        SM.toast(error.message, "danger");
      }
    });
  }
})();
