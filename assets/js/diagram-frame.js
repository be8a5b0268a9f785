/* Diagram frame: draws one Mermaid diagram from the URL fragment and reports its height.
   It runs sandboxed in an opaque origin: it can reach nothing of the app but its parent's
   postMessage, and says only how tall it is. */
(function () {
  "use strict";

  const params = new URLSearchParams(location.hash.slice(1));
  const source = params.get("src") || "";
  const theme = params.get("theme") === "dark" ? "dark" : "light";
  const diagramId = params.get("id") || "";
  const allStrings = JSON.parse(document.getElementById("sm-diagram-strings").textContent);
  const strings = allStrings[params.get("lang")] || allStrings.en;
  const root = document.getElementById("sm-diagram");

  function reportHeight() {
    const height = Math.ceil(root.getBoundingClientRect().bottom);
    parent.postMessage({ type: "sm-diagram", id: diagramId, height }, "*");
  }

  function block(className, text) {
    const element = document.createElement(className === "sm-diagram-heading" ? "p" : "pre");
    element.className = className;
    element.textContent = text;
    return element;
  }

  function showError(error) {
    const box = document.createElement("div");
    box.className = "sm-diagram-error";
    box.setAttribute("role", "alert");
    const detail = (error && error.message) || String(error);
    box.append(
      block("sm-diagram-heading", strings.error),
      block("sm-diagram-detail", detail),
      block("sm-diagram-source", source),
    );
    root.replaceChildren(box);
  }

  async function draw() {
    window.mermaid.initialize({
      startOnLoad: false,
      securityLevel: "strict",
      theme: theme === "dark" ? "dark" : "default",
      suppressErrorRendering: true,
    });
    try {
      const { svg } = await window.mermaid.render("sm-diagram-svg", source);
      // Mermaid's output, sanitised by Mermaid itself in strict mode; this frame holds nothing.
      root.innerHTML = svg;
    } catch (error) {
      showError(error);
    }
    new ResizeObserver(reportHeight).observe(root);
  }

  // A frame inside a hidden tab has no layout (width 0), where Mermaid cannot measure
  // its labels: draw once the frame is shown.
  function whenShown(callback) {
    if (window.innerWidth > 0) {
      callback();
      return;
    }
    window.addEventListener("resize", function waitForWidth() {
      if (window.innerWidth === 0) return;
      window.removeEventListener("resize", waitForWidth);
      callback();
    });
  }

  document.documentElement.dataset.theme = theme;
  if (window.mermaid) {
    whenShown(draw);
  } else {
    showError(new Error("mermaid.min.js did not load"));
    reportHeight();
  }
})();
