/* Dashboard: running executions kept current by live status events, favourites re-drawn
   when a star changes, and times and sizes shown in the page's language. */
(function () {
  "use strict";

  const language = document.documentElement.lang;
  const SHORT = { dateStyle: "short", timeStyle: "short" };
  const box = document.getElementById("sm-running");
  const list = document.getElementById("sm-running-list");
  const favourites = document.getElementById("sm-favourites-list");
  const noFavourites = document.getElementById("sm-favourites-empty");

  async function refresh() {
    const runs = (await SM.api.get("/api/executions/running")).items;
    list.replaceChildren(
      ...runs.map((run) => {
        const item = document.createElement("li");
        const link = document.createElement("a");
        link.href = "/logs/" + run.execution_id;
        link.textContent = run.script_name;
        const since = document.createElement("span");
        since.className = "text-body-secondary ms-2";
        since.textContent = new Date(run.start_time).toLocaleTimeString(language);
        item.append(link, since);
        return item;
      }),
    );
    box.classList.toggle("d-none", runs.length === 0);
  }

  function starButton(script) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-sm btn-link sm-star p-0 sm-starred";
    button.dataset.smFavourite = String(script.id);
    button.setAttribute("aria-pressed", "true");
    button.title = SM.t("favourites.remove");
    button.setAttribute("aria-label", SM.t("favourites.remove") + ": " + script.display_name);
    const icon = document.createElement("i");
    icon.className = "bi bi-star-fill";
    button.append(icon);
    return button;
  }

  function favouriteItem(script) {
    const item = document.createElement("li");
    item.className = "d-flex align-items-center gap-2";
    item.dataset.scriptId = String(script.id);
    const link = document.createElement("a");
    link.className = "text-truncate";
    link.href = "/scripts/" + script.id;
    link.textContent = script.display_name;
    const group = document.createElement("span");
    group.className = "text-body-secondary text-truncate";
    group.textContent = script.group_name;
    item.append(starButton(script), link, group);
    return item;
  }

  async function redrawFavourites() {
    const items = (await SM.api.get("/api/user/favourites")).items;
    favourites.replaceChildren(...items.map(favouriteItem));
    noFavourites.classList.toggle("d-none", items.length > 0);
  }

  function localise(root) {
    for (const element of root.querySelectorAll("[data-sm-time]")) {
      const when = new Date(element.dataset.smTime);
      if (!Number.isNaN(when.getTime())) element.textContent = when.toLocaleString(language, SHORT);
    }
    for (const element of root.querySelectorAll("[data-sm-bytes]")) {
      if (element.dataset.smBytes === "") continue;
      const gib = Number(element.dataset.smBytes) / 1024 ** 3;
      element.textContent = SM.t("dashboard.health.gib", {
        size: gib.toLocaleString(language, { maximumFractionDigits: 1 }),
      });
    }
  }

  document.addEventListener("sm:favourite", () =>
    redrawFavourites().catch((error) => SM.toast(error.message, "danger")),
  );
  SM.live.onAnyStatus(() => refresh().catch(() => undefined));
  refresh().catch((error) => SM.toast(error.message, "danger"));
  localise(document);
  SM.interfacesList();
})();
