/* Site-wide behaviour: the shortcut help dialog (?) and "next passage for me" (n). */
(function () {
  "use strict";

  const dialog = document.getElementById("help-dialog");

  function isTyping(target) {
    if (!target || !target.closest) return false;
    return Boolean(
      target.closest("textarea, select, [contenteditable=''], [contenteditable='true']") ||
        (target.tagName === "INPUT" && !["radio", "checkbox", "button", "submit"].includes(target.type))
    );
  }

  function openHelp() {
    if (dialog && !dialog.open) dialog.showModal();
  }

  function goToNextPassage() {
    const nextLink = document.querySelector("[data-shortcut='n']");
    if (!nextLink) return;
    const url = new URL(nextLink.href, window.location.href);
    const passage =
      (document.activeElement && document.activeElement.closest && document.activeElement.closest(".passage")) ||
      document.querySelector(".passage.is-target");
    if (passage && passage.dataset.passage) url.searchParams.set("after", passage.dataset.passage);
    window.location.assign(url.toString());
  }

  document.querySelectorAll("[data-action='help']").forEach(function (button) {
    button.addEventListener("click", openHelp);
  });

  /* Theme: system → dark → light → system. Kept in a cookie so that the server renders
     <html data-theme> on the next page (no flash, no inline script). */
  const THEMES = ["", "dark", "light"];
  const gettext = window.gettext || ((text) => text);
  const THEME_NAMES = { "": gettext("Theme: system"), dark: gettext("Theme: dark"), light: gettext("Theme: light") };
  document.querySelectorAll("[data-action='theme']").forEach(function (button) {
    button.addEventListener("click", function () {
      const root = document.documentElement;
      const now = root.dataset.theme || "";
      const next = THEMES[(THEMES.indexOf(now) + 1) % THEMES.length];
      if (next) root.dataset.theme = next;
      else delete root.dataset.theme;
      document.cookie =
        "theme=" + next + "; path=/; max-age=" + (next ? 31536000 : 0) + "; SameSite=Lax" +
        (window.location.protocol === "https:" ? "; Secure" : "");
      button.textContent = THEME_NAMES[next];
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (isTyping(event.target) || (dialog && dialog.open)) return;
    if (event.key === "?") {
      event.preventDefault();
      openHelp();
    } else if (event.key === "n") {
      event.preventDefault();
      goToNextPassage();
    }
  });

  window.annotatorIsTyping = isTyping;
})();
