// Starts GOV.UK Frontend's components. Loaded as a module, so it runs only in
// browsers GOV.UK Frontend supports; an external file because the Content Security
// Policy forbids inline script (docs/security.md §9). Every page works without it.
import { initAll } from "../govuk-frontend/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

