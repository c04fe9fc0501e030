// Typesets the notebooks' $…$ and $$…$$ with the KaTeX copy beside this file: no network, as every page here.
// Material's instant navigation swaps pages without reloading, so typeset on each page it shows (document$).
(function () {
  "use strict";
  function typeset() {
    renderMathInElement(document.body, {
      delimiters: [
        { left: "$$", right: "$$", display: true },
        { left: "\\[", right: "\\]", display: true },
        { left: "$", right: "$", display: false },
        { left: "\\(", right: "\\)", display: false },
      ],
      throwOnError: false,
    });
  }
  if (typeof document$ !== "undefined") document$.subscribe(typeset);
  else document.addEventListener("DOMContentLoaded", typeset);
})();
