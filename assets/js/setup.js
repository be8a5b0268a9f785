/* First-run page: create the first admin, then log in. */
(function () {
  "use strict";

  const form = document.getElementById("sm-setup-form");
  const errorBox = document.getElementById("sm-setup-error");

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    errorBox.classList.add("d-none");
    const credentials = { username: form.username.value.trim(), password: form.password.value };
    try {
      await SM.api.post("/api/auth/setup", {
        ...credentials,
        email: form.email.value.trim(),
        setup_token: form.dataset.token,
      });
      await SM.api.post("/api/auth/login", credentials);
      window.location.replace("/"); // the spent setup link leaves the history too
    } catch (error) {
      errorBox.textContent = error.message;
      errorBox.classList.remove("d-none");
    }
  });
  // Enabled once the form is handled here: a submit before that would go to the server.
  form.querySelector("button[type=submit]").disabled = false;
})();
