/* Account page: change one's own password; see one's storage use against the quota. */
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

  async function showStorage() {
    const text = document.getElementById("sm-storage-text");
    try {
      const status = await SM.api.get("/api/user/quota");
      const used = SM.bytes(status.used_bytes);
      document.getElementById("sm-storage-state").replaceChildren(SM.storageBadge(status.state));
      if (status.quota_bytes === null) {
        text.textContent = SM.t("storage.used_no_quota", { used });
        return;
      }
      document.getElementById("sm-storage-bar").replaceChildren(SM.usageBar(status));
      const values = { used, quota: SM.bytes(status.quota_bytes), percent: status.percent };
      text.textContent = SM.t("storage.used_of", values);
    } catch (error) {
      text.textContent = error.message;
    }
  }

  showStorage();
})();
