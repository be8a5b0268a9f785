/* Documentation rendering shared by pages: sanitised HTML from the server, then Mermaid
   diagrams (diagrams.js, when the page loads it) and KaTeX. */
(function () {
  "use strict";

  const MATH_DELIMITERS = [
    { left: "\\[", right: "\\]", display: true },
    { left: "\\(", right: "\\)", display: false },
  ];

  function show(element, html) {
    // The HTML was sanitised on the server (nh3); math and diagrams are rendered here.
    element.innerHTML = html;
    if (window.SM.renderDiagrams) window.SM.renderDiagrams(element);
    if (window.renderMathInElement) {
      window.renderMathInElement(element, { delimiters: MATH_DELIMITERS, throwOnError: false });
    }
  }

  window.SM.docs = { show };
})();
