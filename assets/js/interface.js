/* Interface wrapper: heartbeat while the tab is open, a beacon when it goes, Close. */
(function () {
  "use strict";

  const root = document.getElementById("sm-interface");
  const sessionId = root.dataset.sessionId;
  const base = "/api/scripts/" + root.dataset.scriptId;
  const state = document.getElementById("sm-interface-state");
  let timer = null;

  function showClosed() {
    clearInterval(timer);
    state.className = "badge text-bg-secondary";
    state.textContent = SM.t("interface.ended");
    document.getElementById("sm-interface-frame").classList.add("d-none");
    document.getElementById("sm-interface-closed").classList.remove("d-none");
    document.getElementById("sm-interface-close").disabled = true;
  }

  async function ping() {
    try {
      await SM.api.post(base + "/ping-interface", { session_id: sessionId });
    } catch (error) {
      if (error.status === 404 || error.status === 409) showClosed();
    }
  }

  ping();
  timer = setInterval(ping, Math.max(5, Number(root.dataset.heartbeat)) * 1000);

  let csrf = null;
  SM.csrfToken().then((token) => (csrf = token));
  window.addEventListener("pagehide", () => {
    if (!csrf) return;
    const form = new FormData();
    form.append("csrf_token", csrf);
    navigator.sendBeacon("/api/interfaces/" + sessionId + "/beacon", form);
  });

  document.getElementById("sm-interface-close").addEventListener("click", async () => {
    try {
      await SM.api.post(base + "/close-interface", { session_id: sessionId });
      showClosed();
    } catch (error) {
      SM.toast(error.message, "danger");
    }
  });
})();
