/* Login page. */
(function () {
  "use strict";

  const form = document.getElementById("sm-login-form");
  const errorBox = document.getElementById("sm-login-error");

  // The server already checks ?next=; this keeps the page from ever leaving its origin.
  function sameOrigin(next) {
    const target = new URL(next || "/", window.location.origin);
    if (target.origin !== window.location.origin || target.pathname.startsWith("//")) return "/";
    return target.pathname + target.search + target.hash;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    errorBox.classList.add("d-none");
    try {
      await SM.api.post("/api/auth/login", {
        username: form.username.value.trim(),
        password: form.password.value,
      });
      window.location.assign(sameOrigin(form.dataset.next));
    } catch (error) {
      errorBox.textContent =
        error.status === 401 ? SM.t("login.failed") : error.status === 429 ? SM.t("login.throttled") : error.message;
      errorBox.classList.remove("d-none");
    }
  });
  // Enabled once the form is handled here: a submit before that would go to the server.
  form.querySelector("button[type=submit]").disabled = false;
})();
