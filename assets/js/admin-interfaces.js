/* Admin view of interfaces: close any of them. */
(function () {
  "use strict";

  document.querySelectorAll("[data-local-time]").forEach((element) => {
    element.textContent = new Date(element.dataset.localTime).toLocaleString(document.documentElement.lang);
  });
  document.querySelectorAll("[data-close-session]").forEach((button) => {
    button.addEventListener("click", async () => {
      try {
        await SM.api.post("/api/scripts/" + button.dataset.scriptId + "/close-interface", {
          session_id: button.dataset.closeSession,
        });
        window.location.reload();
      } catch (error) {
        SM.toast(error.message, "danger");
      }
    });
  });
})();
