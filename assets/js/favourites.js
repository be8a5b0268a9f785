/* Star toggles: every [data-sm-favourite] button on any page adds or removes its script
   from the user's favourites, and every star of the same script follows. */
(function () {
  "use strict";

  function show(scriptId, starred) {
    for (const button of document.querySelectorAll('[data-sm-favourite="' + scriptId + '"]')) {
      const label = SM.t(starred ? "favourites.remove" : "favourites.add");
      button.classList.toggle("sm-starred", starred);
      button.setAttribute("aria-pressed", String(starred));
      button.title = label;
      button.setAttribute("aria-label", label);
      button.querySelector("i").className = starred ? "bi bi-star-fill" : "bi bi-star";
    }
    document.dispatchEvent(new CustomEvent("sm:favourite", { detail: { scriptId, starred } }));
  }

  async function toggle(button) {
    const scriptId = button.dataset.smFavourite;
    const starred = button.getAttribute("aria-pressed") !== "true";
    const url = "/api/user/favourites/" + scriptId;
    button.disabled = true;
    try {
      await (starred ? SM.api.put(url) : SM.api.del(url));
      button.disabled = false;
      show(scriptId, starred);
    } catch (error) {
      SM.toast(error.message, "danger");
    } finally {
      button.disabled = false;
    }
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-sm-favourite]");
    if (!button) return;
    event.preventDefault();
    toggle(button);
  });
})();
