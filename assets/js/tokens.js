/* Account page: one's personal API tokens. Make one (its secret is shown once, with a
   copy button), see them (name, prefix, dates) and revoke one. */
(function () {
  "use strict";

  const form = document.getElementById("sm-token-form");
  if (!form) return;
  const nameInput = document.getElementById("sm-token-name");
  const expiry = document.getElementById("sm-token-expiry");
  const list = document.getElementById("sm-tokens-list");
  const table = document.getElementById("sm-tokens-table");
  const empty = document.getElementById("sm-tokens-empty");
  const fresh = document.getElementById("sm-token-new");
  const secret = document.getElementById("sm-token-secret");
  const copy = document.getElementById("sm-token-copy");
  const language = document.documentElement.lang;

  function when(value, withTime) {
    if (!value) return null;
    const date = new Date(value);
    return withTime ? date.toLocaleString(language) : date.toLocaleDateString(language);
  }

  function cell(text, className) {
    const td = document.createElement("td");
    if (className) td.className = className;
    td.textContent = text === null ? "—" : text;
    return td;
  }

  function expiryCell(token) {
    if (!token.expires_at) return cell(SM.t("tokens.never"), "small text-nowrap");
    const td = cell(when(token.expires_at), "small text-nowrap");
    if (new Date(token.expires_at) <= new Date()) {
      const badge = document.createElement("span");
      badge.className = "badge text-bg-secondary ms-2";
      badge.textContent = SM.t("tokens.expired");
      td.appendChild(badge);
    }
    return td;
  }

  function row(token) {
    const tr = document.createElement("tr");
    tr.dataset.tokenId = token.id;
    const revoke = document.createElement("button");
    revoke.type = "button";
    revoke.className = "btn btn-sm btn-outline-danger sm-token-revoke";
    revoke.setAttribute("aria-label", SM.t("tokens.revoke_named", { name: token.name }));
    revoke.textContent = SM.t("tokens.revoke");
    revoke.addEventListener("click", () => drop(token));
    const actions = cell("", "text-end");
    actions.appendChild(revoke);
    tr.append(
      cell(token.name, "text-break"),
      cell(token.prefix + "…", "font-monospace small"),
      cell(when(token.created_at), "small text-nowrap"),
      expiryCell(token),
      cell(token.last_used_at ? when(token.last_used_at, true) : SM.t("tokens.unused"), "small text-nowrap"),
      actions,
    );
    return tr;
  }

  async function refresh() {
    try {
      const items = (await SM.api.get("/api/user/tokens")).items;
      list.replaceChildren(...items.map(row));
      table.classList.toggle("d-none", items.length === 0);
      empty.classList.toggle("d-none", items.length > 0);
    } catch (error) {
      SM.toast(error.message, "danger");
    }
  }

  async function create(event) {
    event.preventDefault();
    const name = nameInput.value.trim();
    if (!name) {
      nameInput.focus();
      return;
    }
    const days = expiry.value ? Number(expiry.value) : null;
    try {
      const made = await SM.api.post("/api/user/tokens", { name, expires_in_days: days });
      form.reset();
      secret.value = made.token;
      fresh.classList.remove("d-none");
      secret.focus();
      secret.select();
      await refresh();
    } catch (error) {
      SM.toast(error.message, "danger");
    }
  }

  async function copySecret() {
    secret.select();
    try {
      await navigator.clipboard.writeText(secret.value);
      SM.toast(SM.t("tokens.copied"), "success");
    } catch (_ignored) {
      SM.toast(SM.t("tokens.copy_by_hand"), "warning"); // the text stays selected
    }
  }

  async function drop(token) {
    if (!window.confirm(SM.t("tokens.confirm_revoke", { name: token.name }))) return;
    try {
      await SM.api.del("/api/user/tokens/" + token.id);
      SM.toast(SM.t("tokens.revoked", { name: token.name }), "success");
      await refresh();
    } catch (error) {
      SM.toast(error.message, "danger");
    }
  }

  form.addEventListener("submit", create);
  copy.addEventListener("click", copySecret);
  refresh();
})();
