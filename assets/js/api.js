/* ScriptsManager front-end core: JSON API calls with CSRF, translations, toasts. */
(function () {
  "use strict";

  let csrfToken = null;
  let tokenRequest = null; // one request at a time: two would each start a CSRF session value
  const strings = JSON.parse(document.getElementById("sm-i18n").textContent || "{}");

  async function fetchToken() {
    if (csrfToken) return csrfToken;
    if (!tokenRequest) {
      tokenRequest = fetch("/api/auth/csrf", { credentials: "same-origin" })
        .then((response) => response.json())
        .then((data) => (csrfToken = data.csrf_token))
        .finally(() => (tokenRequest = null));
    }
    return tokenRequest;
  }

  async function request(method, url, body) {
    const headers = { Accept: "application/json" };
    if (method !== "GET") headers["X-CSRFToken"] = await fetchToken();
    const isForm = body instanceof FormData;
    if (body !== undefined && !isForm) headers["Content-Type"] = "application/json";
    const response = await fetch(url, {
      method,
      headers,
      credentials: "same-origin",
      body: body === undefined || isForm ? body : JSON.stringify(body),
    });
    let data = null;
    try {
      data = await response.json();
    } catch (_ignored) {
      data = null;
    }
    if (!response.ok) {
      const error = new Error((data && data.error && data.error.message) || response.statusText);
      error.status = response.status;
      error.field = data && data.error ? data.error.field : undefined;
      throw error;
    }
    if (data && data.csrf_token) csrfToken = data.csrf_token;
    return data;
  }

  function t(key, values) {
    let text = strings[key] || key;
    for (const [name, value] of Object.entries(values || {})) {
      text = text.replaceAll("{" + name + "}", String(value));
    }
    return text;
  }

  /* The plural form of key for count: key + "." + the CLDR category of the page's language
     ("one", "many", "other" ...), else key + ".other"; {count} is the number formatted for
     the language. The server's counterpart is Translations.translate_plural. */
  function tn(key, count, values) {
    const language = document.documentElement.lang || "en";
    const category = new Intl.PluralRules(language).select(count);
    const chosen = strings[key + "." + category] ? key + "." + category : key + ".other";
    return t(chosen, { ...values, count: count.toLocaleString(language) });
  }

  function toast(message, kind) {
    const container = document.getElementById("sm-toasts");
    const element = document.createElement("div");
    element.className = "toast align-items-center border-0 text-bg-" + (kind || "primary");
    element.setAttribute("role", "status");
    const wrapper = document.createElement("div");
    wrapper.className = "d-flex";
    const text = document.createElement("div");
    text.className = "toast-body";
    text.textContent = message;
    wrapper.appendChild(text);
    element.appendChild(wrapper);
    container.appendChild(element);
    const instance = bootstrap.Toast.getOrCreateInstance(element, { delay: 4000 });
    element.addEventListener("hidden.bs.toast", () => element.remove());
    instance.show();
  }

  window.SM = {
    api: {
      get: (url) => request("GET", url),
      post: (url, body) => request("POST", url, body === undefined ? {} : body),
      put: (url, body) => request("PUT", url, body),
      del: (url) => request("DELETE", url),
      upload: (url, formData) => request("POST", url, formData),
    },
    t,
    tn,
    toast,
    csrfToken: fetchToken,
  };
})();
