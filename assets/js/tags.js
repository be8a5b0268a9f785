/* Tags page: every visible tag with its count; scripts with all (or any) of the chosen. */
(function () {
  "use strict";

  const list = document.getElementById("sm-tag-list");
  const results = document.getElementById("sm-tag-results");
  const empty = document.getElementById("sm-tags-empty");
  const params = new URLSearchParams(window.location.search);
  const chosen = new Set((params.get("tags") || "").split(",").map((tag) => tag.trim().toLowerCase()).filter(Boolean));
  let mode = params.get("mode") === "or" ? "or" : "and";

  function el(tag, className, text) {
    const element = document.createElement(tag);
    if (className) element.className = className;
    if (text !== undefined) element.textContent = text;
    return element;
  }

  function tagButton(entry, index) {
    const id = "sm-tag-" + index;
    const box = el("input", "btn-check");
    Object.assign(box, { type: "checkbox", id, value: entry.tag, checked: chosen.has(entry.tag), autocomplete: "off" });
    const label = el("label", "btn btn-sm btn-outline-secondary sm-tag-choice");
    label.htmlFor = id;
    if (entry.user && !entry.system) label.appendChild(el("i", "bi bi-person me-1"));
    label.append(entry.tag, el("span", "badge rounded-pill bg-body-tertiary text-body ms-2", String(entry.count)));
    label.title = SM.t(entry.system ? "tags.system" : "tags.personal");
    box.addEventListener("change", () => {
      if (box.checked) chosen.add(entry.tag);
      else chosen.delete(entry.tag);
      search();
    });
    return [box, label];
  }

  function scriptCard(script) {
    const column = el("div", "col-12 sm-tag-result");
    column.dataset.scriptId = script.id;
    const card = el("div", "sm-card p-3");
    const link = el("a", "h6 mb-1 d-inline-block", script.display_name);
    link.href = "/scripts/" + script.id;
    const group = el("span", "text-body-secondary small ms-2", script.group_name);
    const tags = el("div", "d-flex flex-wrap gap-1 mt-1");
    script.tags.forEach((tag) => tags.appendChild(el("span", "badge sm-tag", tag)));
    script.user_tags.forEach((tag) => tags.appendChild(el("span", "badge sm-tag sm-tag-user", tag)));
    card.append(link, group, el("p", "text-body-secondary small mb-0", script.description || ""), tags);
    column.appendChild(card);
    return column;
  }

  function remember() {
    const query = new URLSearchParams();
    if (chosen.size) query.set("tags", Array.from(chosen).join(","));
    query.set("mode", mode);
    window.history.replaceState(null, "", "?" + query.toString());
  }

  async function search() {
    remember();
    if (!chosen.size) {
      results.replaceChildren();
      empty.textContent = SM.t("tags.pick");
      empty.classList.remove("d-none");
      return;
    }
    const query = new URLSearchParams({ tags: Array.from(chosen).join(","), match: mode === "and" ? "all" : "any" });
    try {
      const found = (await SM.api.get("/api/scripts/search-tags?" + query.toString())).items;
      results.replaceChildren(...found.map(scriptCard));
      empty.textContent = SM.t("catalog.no_scripts");
      empty.classList.toggle("d-none", found.length > 0);
    } catch (error) {
      SM.toast(error.message, "danger");
    }
  }

  document.querySelectorAll("input[name=sm-tags-mode]").forEach((radio) => {
    radio.checked = radio.dataset.mode === mode;
    radio.addEventListener("change", () => {
      mode = radio.dataset.mode;
      search();
    });
  });

  document.getElementById("sm-tags-clear").addEventListener("click", () => {
    chosen.clear();
    list.querySelectorAll("input").forEach((box) => (box.checked = false));
    search();
  });

  SM.api
    .get("/api/tags")
    .then((listing) => {
      list.replaceChildren(...listing.items.flatMap(tagButton));
      document.getElementById("sm-tags-none").classList.toggle("d-none", listing.items.length > 0);
      return search();
    })
    .catch((error) => SM.toast(error.message, "danger"));
})();
