// The lessons (☰) and contents buttons. sphinx-book-theme 1.4 and pydata-sphinx-theme 0.20
// attach their handlers to the first .primary-toggle and .secondary-toggle on the page, which
// is the theme's own header button that sphinx-book-theme hides; the buttons a reader sees
// (in the article's header) do nothing. A click on a visible one is handed to the first.
document.addEventListener("DOMContentLoaded", () => {
  for (const selector of [".primary-toggle", ".secondary-toggle"]) {
    const [handled, ...others] = document.querySelectorAll(selector);
    for (const button of others) {
      button.addEventListener("click", (event) => {
        event.preventDefault();
        event.stopPropagation();
        handled.click();
      });
    }
  }
});
