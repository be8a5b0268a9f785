/* Mermaid diagrams in documentation: each <pre class="mermaid"> is replaced by a sandboxed
   frame (/docs/diagram) that draws it. The frame has an opaque origin (no cookies, no API,
   no access to this page), so the inline styles Mermaid needs never reach the app's CSP.
   Configured by this script's tag: data-enabled ("true"/"false") and data-frame-url. */
(function () {
  "use strict";

  const tag = document.currentScript;
  const enabled = tag.dataset.enabled === "true";
  const frameUrl = tag.dataset.frameUrl;
  const MAX_HEIGHT = 20000;
  const frames = new Map(); // diagram id → its iframe
  let counter = 0;

  function currentTheme() {
    return document.documentElement.getAttribute("data-bs-theme") === "dark" ? "dark" : "light";
  }

  function frameFor(source) {
    counter += 1;
    const id = "sm-diagram-" + counter;
    const params = new URLSearchParams({
      src: source,
      theme: currentTheme(),
      id,
      lang: document.documentElement.lang,
    });
    const frame = document.createElement("iframe");
    frame.setAttribute("sandbox", "allow-scripts");
    frame.className = "sm-diagram";
    frame.title = SM.t("docs.diagram_title");
    frame.dataset.diagramId = id;
    frame.dataset.source = source;
    frame.src = frameUrl + "#" + params.toString();
    frames.set(id, frame);
    return frame;
  }

  function forgetDetached() {
    for (const [id, frame] of frames) {
      if (!frame.isConnected) frames.delete(id);
    }
  }

  /** Replace the Mermaid blocks inside `container` by diagram frames (when enabled). */
  function renderDiagrams(container) {
    forgetDetached();
    if (!enabled || !frameUrl) return;
    container.querySelectorAll("pre.mermaid").forEach((block) => {
      block.replaceWith(frameFor(block.textContent));
    });
  }

  function onMessage(event) {
    const data = event.data;
    if (!data || data.type !== "sm-diagram" || typeof data.id !== "string") return;
    const frame = frames.get(data.id);
    // Only a frame of ours, speaking for its own diagram, may size itself.
    if (!frame || frame.contentWindow !== event.source) return;
    const height = Number(data.height);
    if (!Number.isFinite(height) || height <= 0) return;
    frame.style.height = Math.min(Math.ceil(height), MAX_HEIGHT) + "px";
  }

  function redrawForTheme() {
    forgetDetached();
    for (const frame of [...frames.values()]) {
      frames.delete(frame.dataset.diagramId);
      frame.replaceWith(frameFor(frame.dataset.source));
    }
  }

  window.addEventListener("message", onMessage);
  if (enabled) {
    new MutationObserver(redrawForTheme).observe(document.documentElement, {
      attributes: true,
      attributeFilter: ["data-bs-theme"],
    });
  }
  window.SM.renderDiagrams = renderDiagrams;
})();
