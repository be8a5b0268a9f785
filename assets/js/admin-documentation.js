/* Documentation status: which languages each script's document exists in. */
(function () {
  "use strict";

  const LANGUAGES = JSON.parse(document.getElementById("sm-doc-languages").textContent);

  function mark(present, language, script) {
    const icon = document.createElement("i");
    icon.className = present ? "bi bi-check-circle-fill text-success" : "bi bi-x-circle text-danger";
    const label = SM.t(present ? "admin.docs.present" : "admin.docs.absent", { language: language.toUpperCase() });
    icon.setAttribute("role", "img");
    icon.setAttribute("aria-label", script + ": " + label);
    icon.title = label;
    icon.dataset.language = language;
    icon.dataset.present = present ? "1" : "0";
    return icon;
  }

  // The cards count every script of the group and name filters, whatever language is missing.
  function showCoverage(coverage) {
    for (const language of LANGUAGES) {
      const count = coverage[language];
      const share = coverage.scripts ? Math.round((100 * count) / coverage.scripts) : 0;
      document.querySelector('[data-coverage="' + language + '"]').textContent = count + " / " + coverage.scripts;
      const bar = document.querySelector('[data-coverage-bar="' + language + '"]');
      bar.style.width = share + "%";
      bar.className = "progress-bar " + (share === 100 ? "bg-success" : share >= 50 ? "bg-info" : "bg-warning");
    }
  }

  const filters = document.getElementById("sm-doc-filters");
  SM.pagedTable({
    body: document.getElementById("sm-doc-body"),
    pager: document.getElementById("sm-doc-pager"),
    filters,
    url: "/api/admin/documentation",
    loaded: (data) => showCoverage(data.coverage),
    perPage: 50,
    row: (script) => {
      const tr = document.createElement("tr");
      const link = document.createElement("a");
      link.href = "/scripts/" + script.id;
      link.textContent = script.display_name;
      tr.append(SM.cell(link, "fw-semibold"), SM.cell(script.group_name));
      for (const language of LANGUAGES) {
        tr.append(SM.cell(mark(script.languages[language], language, script.display_name), "text-center"));
      }
      return tr;
    },
    empty: SM.t("admin.docs.none_missing"),
  });

  SM.api
    .get("/api/admin/groups?per_page=200")
    .then((data) => {
      const select = document.getElementById("doc-group");
      for (const group of data.items) {
        const option = document.createElement("option");
        option.value = group.id;
        option.textContent = group.name;
        select.append(option);
      }
    })
    .catch((error) => SM.toast(error.message, "danger"));
})();
