/* User administration: list, create, edit, reset data, delete. */
(function () {
  "use strict";

  const body = document.getElementById("sm-users-body");
  const rowTemplate = document.getElementById("sm-user-row");
  const modalElement = document.getElementById("sm-user-modal");
  const modal = bootstrap.Modal.getOrCreateInstance(modalElement);
  const form = document.getElementById("sm-user-form");
  const errorBox = document.getElementById("sm-user-error");
  const field = (id) => document.getElementById(id);

  function formatDate(value) {
    return value ? new Date(value).toLocaleString(document.documentElement.lang) : "—";
  }

  function renderRow(user) {
    const row = rowTemplate.content.firstElementChild.cloneNode(true);
    row.dataset.userId = user.id;
    row.querySelector('[data-col="username"]').textContent = user.username;
    row.querySelector('[data-col="email"]').textContent = user.email;
    row.querySelector('[data-col="level"]').textContent = SM.t("level." + user.user_level);
    const status = row.querySelector('[data-col="status"]');
    status.innerHTML = "";
    const badge = document.createElement("span");
    badge.className = "badge " + (user.is_active ? "text-bg-success" : "text-bg-secondary");
    badge.textContent = SM.t(user.is_active ? "users.active" : "users.inactive");
    status.appendChild(badge);
    row.querySelector('[data-col="last_login"]').textContent = formatDate(user.last_login);
    row.querySelector('[data-action="edit"]').addEventListener("click", () => openForm(user));
    row.querySelector('[data-action="reset"]').addEventListener("click", () => resetData(user));
    row.querySelector('[data-action="delete"]').addEventListener("click", () => remove(user));
    return row;
  }

  async function load() {
    const data = await SM.api.get("/api/admin/users?per_page=200");
    body.replaceChildren(...data.items.map(renderRow));
  }

  function openForm(user) {
    errorBox.classList.add("d-none");
    field("user-id").value = user ? user.id : "";
    field("user-username").value = user ? user.username : "";
    field("user-username").disabled = Boolean(user);
    field("user-email").value = user ? user.email : "";
    field("user-level").value = user ? user.user_level : "operator";
    field("user-password").value = "";
    field("user-password").required = !user;
    field("user-active").checked = user ? user.is_active : true;
    const quota = user ? user.storage_quota_mb : null;
    field("user-quota").value = quota === null ? "" : String(quota);
    field("user-active").disabled = !user;
    field("sm-user-modal-title").textContent = user ? user.username : SM.t("users.new");
    field("user-password-help").textContent = user ? SM.t("users.password_keep") : SM.t("field.password_rule");
    modal.show();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    errorBox.classList.add("d-none");
    const id = field("user-id").value;
    const password = field("user-password").value;
    try {
      const quota = quotaValue();
      if (id) {
        const changes = {
          email: field("user-email").value.trim(),
          user_level: field("user-level").value,
          is_active: field("user-active").checked,
        };
        if (password) changes.password = password;
        changes.storage_quota_mb = quota;
        await SM.api.put("/api/admin/users/" + id, changes);
      } else {
        const created = await SM.api.post("/api/admin/users", {
          username: field("user-username").value.trim(),
          email: field("user-email").value.trim(),
          user_level: field("user-level").value,
          password,
        });
        if (quota !== null) {
          await SM.api.put("/api/admin/users/" + created.user.id, { storage_quota_mb: quota });
        }
      }
      modal.hide();
      SM.toast(SM.t("users.saved"), "success");
      await load();
    } catch (error) {
      errorBox.textContent = error.message;
      errorBox.classList.remove("d-none");
    }
  });

  // The user's own storage quota in MB: null (empty) for the default, 0 for none.
  function quotaValue() {
    const input = field("user-quota");
    if (input.validity.badInput) throw new Error(SM.t("storage.quota_invalid"));
    const text = input.value.trim();
    return text === "" ? null : Number(text);
  }

  async function resetData(user) {
    if (!window.confirm(SM.t("users.confirm_reset", { name: user.username }))) return;
    try {
      await SM.api.post("/api/admin/users/" + user.id + "/reset-data");
      SM.toast(SM.t("users.reset_done"), "success");
    } catch (error) {
      SM.toast(error.message, "danger");
    }
  }

  async function remove(user) {
    if (!window.confirm(SM.t("users.confirm_delete", { name: user.username }))) return;
    try {
      await SM.api.del("/api/admin/users/" + user.id);
      SM.toast(SM.t("users.deleted"), "success");
      await load();
    } catch (error) {
      SM.toast(error.message, "danger");
    }
  }

  document.getElementById("sm-user-new").addEventListener("click", () => openForm(null));
  load().catch((error) => SM.toast(error.message, "danger"));
})();
