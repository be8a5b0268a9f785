/* Page shell: theme switch, language switch and logout, saved per user when logged in. */
(function () {
  "use strict";

  const loggedIn = Boolean(document.getElementById("sm-user-menu"));

  function remember(name, value) {
    document.cookie = name + "=" + value + "; path=/; max-age=31536000; samesite=lax";
  }

  async function savePreference(cookie, field, value) {
    if (loggedIn) {
      await SM.api.post("/api/user/preferences", { [field]: value });
    } else {
      remember(cookie, value);
    }
  }

  const themeButton = document.getElementById("sm-theme-toggle");
  if (themeButton) {
    themeButton.addEventListener("click", async () => {
      const root = document.documentElement;
      const next = root.getAttribute("data-bs-theme") === "dark" ? "light" : "dark";
      root.setAttribute("data-bs-theme", next);
      const icon = themeButton.querySelector("i");
      icon.className = "bi " + (next === "dark" ? "bi-sun" : "bi-moon-stars");
      try {
        await savePreference("sm_theme", "theme", next);
      } catch (error) {
        SM.toast(error.message, "danger");
      }
    });
  }

  document.querySelectorAll("[data-sm-language]").forEach((item) => {
    item.addEventListener("click", async () => {
      try {
        await savePreference("sm_lang", "language", item.dataset.smLanguage);
        window.location.reload();
      } catch (error) {
        SM.toast(error.message, "danger");
      }
    });
  });

  const logout = document.getElementById("sm-logout");
  if (logout) {
    logout.addEventListener("click", async () => {
      try {
        await SM.api.post("/api/auth/logout");
      } finally {
        window.location.assign("/login");
      }
    });
  }
})();
