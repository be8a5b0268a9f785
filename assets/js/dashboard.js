/* Dashboard: the user's running executions, kept current by live status events. */
(function () {
  "use strict";

  const box = document.getElementById("sm-running");
  const list = document.getElementById("sm-running-list");

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
        since.textContent = new Date(run.start_time).toLocaleTimeString(document.documentElement.lang);
        item.append(link, since);
        return item;
      }),
    );
    box.classList.toggle("d-none", runs.length === 0);
  }

  const interfacesBox = document.getElementById("sm-interfaces");
  const interfacesList = document.getElementById("sm-interfaces-list");

  async function refreshInterfaces() {
    const sessions = (await SM.api.get("/api/active-interfaces?mine=1")).items.filter((s) => s.status === "ready");
    interfacesList.replaceChildren(
      ...sessions.map((session) => {
        const item = document.createElement("li");
        item.className = "d-flex align-items-center gap-2 mb-1";
        const open = document.createElement("a");
        open.href = session.url;
        open.target = "_blank";
        open.rel = "noopener";
        open.textContent = session.script_name || session.session_id;
        const close = document.createElement("button");
        close.type = "button";
        close.className = "btn btn-sm btn-link text-danger p-0";
        close.textContent = SM.t("interface.close");
        close.addEventListener("click", async () => {
          await SM.api.post("/api/scripts/" + session.script_id + "/close-interface", { session_id: session.session_id });
          refreshInterfaces();
        });
        item.append(open, close);
        return item;
      }),
    );
    interfacesBox.classList.toggle("d-none", sessions.length === 0);
  }

  SM.live.onAnyStatus(() => refresh().catch(() => undefined));
  SM.live.onInterface(() => refreshInterfaces().catch(() => undefined));
  refresh().catch((error) => SM.toast(error.message, "danger"));
  refreshInterfaces().catch((error) => SM.toast(error.message, "danger"));
})();
