/* Inside the desktop shell, interfaces open in native windows instead of browser tabs.
 *
 * The shell routes the links a page opens in a new window (see desktop/links.py): an
 * interface link opens the session's native window, "#closed" on it closes that window.
 */
(function () {
  "use strict";

  function inShell() {
    return Boolean(window.pywebview);
  }

  /* Open a session in a native window (logged in by a one-time ticket), else in a tab. */
  async function openInShell(session) {
    const { ticket } = await SM.api.post("/api/auth/window-ticket");
    const title = [session.script_name, session.project_name].filter(Boolean).join(" — ");
    const next = session.url + (session.url.includes("?") ? "&" : "?") + "lease=1";
    const query = new URLSearchParams({ ticket, next, script: session.script_id, title });
    window.open("/auth/window?" + query, "_blank", "noopener");
  }

  function open(session) {
    if (inShell()) openInShell(session).catch((error) => SM.toast(error.message, "danger"));
    else window.open(session.url, "_blank", "noopener");
  }

  /* Make a link to an interface page open the session's window inside the shell. */
  function bind(link, session) {
    link.onclick = (event) => {
      if (!inShell()) return;
      event.preventDefault();
      open(session);
    };
  }

  /* The shell tells us a person closed a window: end the session with this page's login. */
  async function windowClosed(sessionId, scriptId) {
    await SM.api.post("/api/scripts/" + scriptId + "/close-interface", { session_id: sessionId });
  }

  /* Sessions ended elsewhere (Stop, exit, another page) close their window. */
  function followSessions() {
    if (!inShell() || !SM.live) return;
    SM.live.onInterface((event) => {
      if (event.status === "closed") window.open(event.url + "#closed", "_blank", "noopener");
    });
  }

  window.addEventListener("pywebviewready", followSessions);
  window.SM.desktop = { open, bind, windowClosed };
})();
