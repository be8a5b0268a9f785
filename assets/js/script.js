/* Script page: documentation with language switch and editor, personal tags, metadata. */
(function () {
  "use strict";

  const root = document.getElementById("sm-script");
  const scriptId = root.dataset.scriptId;
  const base = "/api/scripts/" + scriptId;
  const canEdit = root.dataset.canEdit === "true";
  const docElement = document.getElementById("sm-doc");
  const fallbackNote = document.getElementById("sm-doc-fallback");
  let docLanguage = root.dataset.language;
  let currentDoc = null;

  async function loadDoc(language) {
    docLanguage = language;
    try {
      currentDoc = await SM.api.get(base + "/description-long?lang=" + language);
    } catch (error) {
      SM.toast(error.message, "danger");
      return;
    }
    SM.docs.show(docElement, currentDoc.html);
    fallbackNote.classList.toggle("d-none", currentDoc.language === language && currentDoc.exists);
    document.querySelectorAll("[data-doc-language]").forEach((button) => {
      const code = button.dataset.docLanguage;
      button.classList.toggle("active", code === language);
      button.classList.toggle("sm-doc-missing", !currentDoc.available.includes(code));
    });
  }

  document.querySelectorAll("[data-doc-language]").forEach((button) => {
    button.addEventListener("click", () => loadDoc(button.dataset.docLanguage));
  });
  loadDoc(docLanguage);

  if (canEdit) setUpDocEditor();
  setUpTags();
  if (canEdit) setUpMetadata();

  function setUpDocEditor() {
    const editor = document.getElementById("sm-doc-editor");
    const source = document.getElementById("sm-doc-source");
    const preview = document.getElementById("sm-doc-preview");
    let timer = null;

    function toggle(editing) {
      editor.classList.toggle("d-none", !editing);
      docElement.classList.toggle("d-none", editing);
    }

    async function refreshPreview() {
      try {
        const result = await SM.api.post("/api/docs/preview", { markdown: source.value });
        SM.docs.show(preview, result.html);
      } catch (error) {
        SM.toast(error.message, "danger");
      }
    }

    document.getElementById("sm-doc-edit").addEventListener("click", () => {
      source.value = currentDoc ? currentDoc.markdown : "";
      toggle(true);
      refreshPreview();
    });
    source.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(refreshPreview, 300);
    });
    document.getElementById("sm-doc-cancel").addEventListener("click", () => toggle(false));
    document.getElementById("sm-doc-save").addEventListener("click", async () => {
      try {
        await SM.api.put(base + "/description-long", { markdown: source.value, language: docLanguage });
        toggle(false);
        await loadDoc(docLanguage);
        SM.toast(SM.t("script.doc_saved"), "success");
      } catch (error) {
        SM.toast(error.message, "danger");
      }
    });
  }

  function setUpTags() {
    const form = document.getElementById("sm-tags-form");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const tags = document
        .getElementById("sm-tags-input")
        .value.split(",")
        .map((tag) => tag.trim())
        .filter(Boolean);
      try {
        await SM.api.put(base + "/tags", { tags });
        SM.toast(SM.t("script.tags_saved"), "success");
      } catch (error) {
        SM.toast(error.message, "danger");
      }
    });
  }

  function setUpMetadata() {
    const form = document.getElementById("sm-meta-form");
    const result = document.getElementById("sm-meta-result");
    let saved = null;

    function collect() {
      const values = { display_name: {}, description: {} };
      form.querySelectorAll("[data-field]").forEach((input) => {
        const field = input.dataset.field;
        if (input.dataset.language) {
          if (input.value.trim()) values[field][input.dataset.language] = input.value.trim();
        } else if (input.type === "checkbox") {
          values[field] = input.checked;
        } else if (field === "execution_timeout") {
          values[field] = Number(input.value);
        } else if (field === "tags") {
          values[field] = input.value.split(",").map((tag) => tag.trim()).filter(Boolean);
        } else if (field === "parameters") {
          values[field] = JSON.parse(input.value || "[]");
        } else {
          values[field] = input.value.trim();
        }
      });
      return values;
    }

    function show(kind, message) {
      result.className = "alert mt-3 alert-" + kind;
      result.textContent = message;
    }

    try {
      saved = collect();
    } catch (_error) {
      saved = {};
    }

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      let values;
      try {
        values = collect();
      } catch (_error) {
        show("danger", SM.t("meta.bad_parameters_json"));
        return;
      }
      const changes = {};
      for (const [field, value] of Object.entries(values)) {
        if (JSON.stringify(value) !== JSON.stringify(saved[field])) changes[field] = value;
      }
      if (!Object.keys(changes).length) {
        show("secondary", SM.t("meta.no_changes"));
        return;
      }
      try {
        await SM.api.put(base + "/metadata", changes);
        saved = values;
        show("success", SM.t("meta.saved"));
        loadHistory();
      } catch (error) {
        show("danger", error.message);
      }
    });

    async function loadHistory() {
      const body = document.getElementById("sm-meta-history");
      if (!body) return;
      const history = await SM.api.get(base + "/metadata/history");
      body.replaceChildren(
        ...history.items.map((entry) => {
          const row = document.createElement("tr");
          const when = new Date(entry.changed_at).toLocaleString(document.documentElement.lang);
          [when, entry.username, entry.field, JSON.stringify(entry.new_value)].forEach((text) => {
            const cell = document.createElement("td");
            cell.textContent = text;
            row.appendChild(cell);
          });
          return row;
        }),
      );
    }

    loadHistory().catch((error) => SM.toast(error.message, "danger"));
  }
})();
