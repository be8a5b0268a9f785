/* Dashboard: switch a group's active project (its files link follows), or create one and make
   it active. */
(function () {
  "use strict";

  async function activate(select, projectId) {
    await SM.api.post("/api/projects/" + projectId + "/set-active");
    select.value = String(projectId);
    select.dataset.smActive = String(projectId);
    const group = select.dataset.smProjectSelect;
    const files = document.querySelector('[data-sm-project-files="' + group + '"]');
    if (files) files.href = "/projects/" + group + "/" + projectId;
  }

  for (const select of document.querySelectorAll("[data-sm-project-select]")) {
    select.dataset.smActive = select.value;
    select.addEventListener("change", () => {
      activate(select, select.value)
        .then(() => SM.toast(SM.t("dashboard.project_switched"), "success"))
        .catch((error) => {
          select.value = select.dataset.smActive;
          SM.toast(error.message, "danger");
        });
    });
  }

  const form = document.getElementById("sm-new-project-form");
  if (!form) return;
  const modal = document.getElementById("sm-new-project");
  const name = document.getElementById("sm-new-project-name");
  const group = document.getElementById("sm-new-project-group");
  const error = document.getElementById("sm-new-project-error");

  modal.addEventListener("show.bs.modal", (event) => {
    group.value = event.relatedTarget.dataset.smNewProject;
    name.value = "";
    name.classList.remove("is-invalid");
  });
  modal.addEventListener("shown.bs.modal", () => name.focus());

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const select = document.querySelector('[data-sm-project-select="' + group.value + '"]');
    try {
      const body = { project_name: name.value.trim(), group_id: Number(group.value) };
      const project = (await SM.api.post("/api/projects", body)).project;
      select.append(new Option(project.project_name, String(project.id)));
      await activate(select, project.id);
      bootstrap.Modal.getOrCreateInstance(modal).hide();
      SM.toast(SM.t("dashboard.project_switched"), "success");
    } catch (failure) {
      error.textContent = failure.message;
      name.classList.add("is-invalid");
    }
  });
})();
