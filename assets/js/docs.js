/* Documentation rendering shared by pages: sanitised HTML from the server, then KaTeX. */
(function () {
  "use strict";

  const MATH_DELIMITERS = [
    { left: "\\[", right: "\\]", display: true },
    { left: "\\(", right: "\\)", display: false },
  ];

  function show(element, html) {
    // The HTML was sanitised on the server (nh3); only math is rendered here.
    element.innerHTML = html;
    if (window.renderMathInElement) {
      window.renderMathInElement(element, { delimiters: MATH_DELIMITERS, throwOnError: false });
    }
  }

  window.SM.docs = { show };
})();
