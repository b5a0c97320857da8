// Render the math that pymdownx.arithmatex (generic mode) leaves in the page.
//
// Arithmatex wraps inline math as <span class="arithmatex">\(...\)</span> and
// display math as <div class="arithmatex">\[...\]</div>. Only those elements
// are handed to KaTeX's auto-render (both bundled in assets/katex/), so a
// dollar sign in prose or in a code block is never taken for math, and
// nothing is fetched from the network.
(function () {
  "use strict";

  var options = {
    delimiters: [
      { left: "\\[", right: "\\]", display: true },
      { left: "\\(", right: "\\)", display: false },
    ],
    throwOnError: false,
  };

  function renderMath(root) {
    var nodes = root.querySelectorAll(".arithmatex");
    for (var i = 0; i < nodes.length; i++) {
      renderMathInElement(nodes[i], options);
    }
  }

  if (typeof document$ !== "undefined") {
    // Material's instant navigation swaps pages without a reload.
    document$.subscribe(function () {
      renderMath(document);
    });
  } else {
    document.addEventListener("DOMContentLoaded", function () {
      renderMath(document);
    });
  }
})();
