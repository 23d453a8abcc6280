// The one-to-one log form: shows the programme rules' sentences (O2–O4) as the provider
// types the date and time, from the same checks that decide when the form is sent.
// Progressive enhancement only: without it, the sentences appear in the error summary.
const root = document.querySelector("[data-module='app-rule-check']");

if (root) {
  const form = root.querySelector("form");
  const output = root.querySelector("[data-rule-check-output]");
  const url = root.dataset.url;
  const names = ["day_0", "day_1", "day_2", "start_time", "status"];
  let timer = null;
  let latest = 0;

  const render = (results) => {
    output.replaceChildren();
    for (const result of results) {
      if (result.outcome !== "fail" && result.outcome !== "warn") continue;
      const line = document.createElement("p");
      line.className = "govuk-body";
      const tag = document.createElement("strong");
      tag.className = result.outcome === "fail" ? "govuk-tag govuk-tag--red" : "govuk-tag govuk-tag--yellow";
      tag.textContent = result.outcome === "fail" ? `Refused (${result.rule})` : `Warning (${result.rule})`;
      line.append(tag, " ", result.sentence);
      output.append(line);
    }
  };

  const check = async () => {
    const params = new URLSearchParams();
    for (const name of names) {
      const field = form.elements.namedItem(name);
      if (field && field.value !== undefined) params.set(name, field.value);
    }
    const ticket = ++latest;
    try {
      const response = await fetch(`${url}?${params}`, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok || ticket !== latest) return;
      render((await response.json()).results);
    } catch {
      // The check on sending the form still applies.
    }
  };

  form.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(check, 300);
  });
  form.addEventListener("change", () => {
    clearTimeout(timer);
    timer = setTimeout(check, 100);
  });
}
