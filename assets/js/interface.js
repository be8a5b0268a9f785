/* Interface wrapper: heartbeat while the tab is open, a beacon when it goes, Close. */
(function () {
  "use strict";

  const root = document.getElementById("sm-interface");
  const sessionId = root.dataset.sessionId;
  const base = "/api/scripts/" + root.dataset.scriptId;
  const state = document.getElementById("sm-interface-state");
  // A desktop client's window holds a lease that it renews; a tab sends heartbeats.
  const lease = new URLSearchParams(window.location.search).has("lease");
  const LEASE_RENEW_SECONDS = 15;
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
      await SM.api.post(base + "/ping-interface", { session_id: sessionId, lease });
    } catch (error) {
      if (error.status === 404 || error.status === 409) showClosed();
    }
  }

  ping();
  const every = lease ? LEASE_RENEW_SECONDS : Math.max(5, Number(root.dataset.heartbeat));
  timer = setInterval(ping, every * 1000);
  const frame = document.getElementById("sm-interface-frame");
  frame.addEventListener("load", () => (frame.dataset.loaded = "1"));

  let csrf = null;
  SM.csrfToken().then((token) => (csrf = token));
  /* Tell the server the tab or window went away; it closes the session seconds later. */
  function leave() {
    if (!csrf) return;
    const form = new FormData();
    form.append("csrf_token", csrf);
    navigator.sendBeacon("/api/interfaces/" + sessionId + "/beacon", form);
  }
  window.addEventListener("pagehide", leave);

  async function close() {
    await SM.api.post(base + "/close-interface", { session_id: sessionId });
    showClosed();
  }

  document.getElementById("sm-interface-close").addEventListener("click", () =>
    close().catch((error) => SM.toast(error.message, "danger"))
  );
  window.SM.interface = { close, leave };
})();
