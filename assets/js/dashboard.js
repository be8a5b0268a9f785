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

  SM.live.onAnyStatus(() => refresh().catch(() => undefined));
  refresh().catch((error) => SM.toast(error.message, "danger"));
  SM.interfacesList();
})();
