/* The personal desktop window's sign-in page: the shell hands it a one-time ticket by
   calling SM.desktopSignIn(ticket) in-process; the ticket becomes this window's session. */
(function () {
  "use strict";

  const NO_TICKET_AFTER_MS = 15000; // a browser tab that opened this page gets no ticket
  const errorBox = document.getElementById("sm-desktop-error");
  const noTicket = document.getElementById("sm-desktop-no-ticket");
  const spinner = document.getElementById("sm-desktop-spinner");
  let signingIn = null;

  const waiting = window.setTimeout(() => noTicket.classList.remove("d-none"), NO_TICKET_AFTER_MS);

  async function signIn(ticket) {
    window.clearTimeout(waiting);
    noTicket.classList.add("d-none");
    try {
      await SM.api.post("/api/auth/desktop", { ticket });
      window.location.replace("/"); // the sign-in page does not stay in the history
      return true;
    } catch (error) {
      spinner.classList.add("d-none");
      errorBox.textContent = error.message;
      errorBox.classList.remove("d-none");
      return false;
    }
  }

  SM.desktopSignIn = function (ticket) {
    if (!signingIn) signingIn = signIn(String(ticket));
    return true;
  };
})();
