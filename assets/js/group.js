/* Group page: search and filters, environment selector and refresh (developer+). */
(function () {
  "use strict";

  const items = Array.from(document.querySelectorAll(".sm-script-item"));
  const search = document.getElementById("sm-search");
  const categorySelect = document.getElementById("sm-filter-category");
  const tagButton = document.getElementById("sm-filter-tags");
  const tagMenu = document.getElementById("sm-filter-tag-menu");
  const tagMode = document.getElementById("sm-filter-tag-mode");
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

  // One checkbox per tag (system and personal); the chosen ones must all (or any) match.
  Array.from(new Set(items.flatMap((item) => item.dataset.tags.split(","))))
    .filter(Boolean)
    .sort()
    .forEach((tag, index) => {
      const box = document.createElement("div");
      box.className = "form-check";
      const input = document.createElement("input");
      Object.assign(input, { type: "checkbox", className: "form-check-input", id: "sm-tag-filter-" + index, value: tag });
      const label = document.createElement("label");
      Object.assign(label, { className: "form-check-label", htmlFor: input.id, textContent: tag });
      box.append(input, label);
      tagMenu.appendChild(box);
    });

  function chosenTags() {
    return Array.from(tagMenu.querySelectorAll("input:checked")).map((box) => box.value);
  }

  function tagsMatch(item, chosen) {
    if (!chosen.length) return true;
    const tags = item.dataset.tags.split(",");
    return tagMode.selectedOptions[0].dataset.mode === "or" ? chosen.some((tag) => tags.includes(tag)) : chosen.every((tag) => tags.includes(tag));
  }

  function applyFilters() {
    const words = search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    const category = categorySelect.value;
    const chosen = chosenTags();
    tagButton.textContent = chosen.length ? chosen.join(", ") : tagButton.dataset.none;
    let shown = 0;
    items.forEach((item) => {
      const visible =
        words.every((word) => item.dataset.name.includes(word)) &&
        (!category || item.dataset.category === category) &&
        tagsMatch(item, chosen);
      item.classList.toggle("d-none", !visible);
      if (visible) shown += 1;
    });
    empty.classList.toggle("d-none", shown > 0);
  }

  SM.interfacesList(items.map((item) => Number(item.dataset.scriptId)));

  search.addEventListener("input", applyFilters);
  categorySelect.addEventListener("change", applyFilters);
  tagMenu.addEventListener("change", applyFilters);
  tagMode.addEventListener("change", applyFilters);

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
