/* The user's open interfaces (dashboard, group page): open again or close. */
(function () {
  "use strict";

  function interfacesList(scriptIds) {
    const box = document.getElementById("sm-interfaces");
    const list = document.getElementById("sm-interfaces-list");

    async function refresh() {
      const sessions = (await SM.api.get("/api/active-interfaces?mine=1")).items.filter(
        (session) => session.status === "ready" && (!scriptIds || scriptIds.includes(session.script_id)),
      );
      list.replaceChildren(
        ...sessions.map((session) => {
          const item = document.createElement("li");
          item.className = "d-flex align-items-center gap-2 mb-1";
          const open = document.createElement("a");
          open.href = session.url;
          open.target = "_blank";
          open.rel = "noopener";
          open.textContent = session.script_name || session.session_id;
          SM.desktop.bind(open, session);
          const close = document.createElement("button");
          close.type = "button";
          close.className = "btn btn-sm btn-link text-danger p-0";
          close.textContent = SM.t("interface.close");
          close.addEventListener("click", async () => {
            try {
              await SM.api.post("/api/scripts/" + session.script_id + "/close-interface", {
                session_id: session.session_id,
              });
            } catch (error) {
              SM.toast(error.message, "danger");
            }
            refresh();
          });
          item.append(open, close);
          return item;
        }),
      );
      box.classList.toggle("d-none", sessions.length === 0);
    }

    SM.live.onInterface(() => refresh().catch(() => undefined));
    refresh().catch((error) => SM.toast(error.message, "danger"));
  }

  window.SM.interfacesList = interfacesList;
})();
