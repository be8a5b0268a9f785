/* Login page. */
(function () {
  "use strict";

  const form = document.getElementById("sm-login-form");
  const errorBox = document.getElementById("sm-login-error");

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    errorBox.classList.add("d-none");
    try {
      await SM.api.post("/api/auth/login", {
        username: form.username.value.trim(),
        password: form.password.value,
      });
      window.location.assign(form.dataset.next || "/");
    } catch (error) {
      errorBox.textContent =
        error.status === 401 ? SM.t("login.failed") : error.status === 429 ? SM.t("login.throttled") : error.message;
      errorBox.classList.remove("d-none");
    }
  });
})();
