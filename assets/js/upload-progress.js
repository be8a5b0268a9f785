/* An upload that reports its progress (fetch cannot tell how much of a body was sent).

   SM.uploadWithProgress(url, formData, (loaded, total) => {}) → Promise of the JSON answer;
   it rejects like SM.api does (error.message, error.status, error.field), with status 0
   when the connection was lost. */
(function () {
  "use strict";

  function failure(xhr) {
    const data = xhr.response;
    const message = data && data.error && data.error.message;
    const error = new Error(message || xhr.statusText || String(xhr.status));
    error.status = xhr.status;
    error.field = data && data.error ? data.error.field : undefined;
    return error;
  }

  async function uploadWithProgress(url, body, onProgress) {
    const token = await SM.csrfToken();
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open("POST", url);
      xhr.responseType = "json";
      xhr.withCredentials = true;
      xhr.setRequestHeader("Accept", "application/json");
      xhr.setRequestHeader("X-CSRFToken", token);
      xhr.upload.addEventListener("progress", (event) => {
        if (event.lengthComputable && onProgress) onProgress(event.loaded, event.total);
      });
      xhr.addEventListener("load", () => {
        if (xhr.status >= 200 && xhr.status < 300) resolve(xhr.response);
        else reject(failure(xhr));
      });
      xhr.addEventListener("error", () => {
        const error = new Error(SM.t("project_files.connection_lost"));
        error.status = 0;
        reject(error);
      });
      xhr.send(body);
    });
  }

  SM.uploadWithProgress = uploadWithProgress;
})();
