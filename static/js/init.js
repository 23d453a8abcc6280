// Starts GOV.UK Frontend's components. Loaded as a module, so it runs only in
// browsers GOV.UK Frontend supports; an external file because the Content Security
// Policy forbids inline script (docs/security.md §9). Every page works without it.
import { initAll } from "../govuk-frontend/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

// GOV.UK Frontend marks a radio that reveals a follow-up question with aria-expanded,
// which ARIA does not allow on a radio (govuk-frontend issue 979, a known axe finding).
// The radio's aria-controls and the follow-up shown under it say what it reveals, so the
// attribute is taken off again whenever the radios sync (on load, on a click, on return).
const withoutExpanded = () => {
  for (const radio of document.querySelectorAll('input[type="radio"][aria-expanded]')) {
    radio.removeAttribute("aria-expanded");
  }
};
withoutExpanded();
document.addEventListener("click", withoutExpanded);
window.addEventListener("pageshow", withoutExpanded);
