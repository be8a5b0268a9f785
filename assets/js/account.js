/* Account page: change one's own password. */
(function () {
  "use strict";

  const form = document.getElementById("sm-password-form");
  const result = document.getElementById("sm-password-result");

  function show(kind, message) {
    result.className = "alert alert-" + kind;
    result.textContent = message;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await SM.api.post("/api/auth/password", {
        current_password: form.current_password.value,
        new_password: form.new_password.value,
      });
      form.reset();
      show("success", SM.t("account.password_changed"));
    } catch (error) {
      show("danger", error.message);
    }
  });
})();
