/* Storage use: byte counts as text, and a bar of the share of a quota used.

   SM.bytes(1536) → "1.5 KiB"
   SM.usageBar({used_bytes, quota_bytes, percent, state}) → <div class="progress">
   SM.storageBadge(state) → <span class="badge"> ok | warning | full */
(function () {
  "use strict";

  const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"];
  const TONES = { ok: "success", warning: "warning", full: "danger" };

  function bytes(count) {
    let size = Number(count) || 0;
    let unit = 0;
    while (size >= 1024 && unit < UNITS.length - 1) {
      size /= 1024;
      unit += 1;
    }
    if (unit === 0) return size + " B";
    const digits = { minimumFractionDigits: 1, maximumFractionDigits: 1 };
    return size.toLocaleString(document.documentElement.lang, digits) + " " + UNITS[unit];
  }

  function usageBar(status) {
    const bar = document.createElement("div");
    bar.className = "progress sm-usage-bar";
    bar.setAttribute("role", "progressbar");
    bar.setAttribute("aria-label", SM.t("storage.title"));
    bar.setAttribute("aria-valuemin", "0");
    bar.setAttribute("aria-valuemax", "100");
    const fill = document.createElement("div");
    fill.className = "progress-bar bg-" + (TONES[status.state] || "secondary");
    const percent = status.percent === null ? 0 : Math.min(100, status.percent);
    bar.setAttribute("aria-valuenow", String(percent));
    fill.style.width = percent + "%";
    bar.appendChild(fill);
    return bar;
  }

  function storageBadge(state) {
    const badge = document.createElement("span");
    badge.className = "badge text-bg-" + (TONES[state] || "secondary");
    badge.dataset.state = state;
    badge.textContent = SM.t("storage.state." + state);
    return badge;
  }

  SM.bytes = bytes;
  SM.usageBar = usageBar;
  SM.storageBadge = storageBadge;
})();
