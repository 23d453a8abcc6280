// Builds the GOV.UK Frontend assets the pages need (run as `npm run build`).
//
// - compiles assets/scss/application.scss into static/css/application.css, with Arial
//   and no GDS Transport font (not a GOV.UK domain);
// - copies GOV.UK Frontend's JavaScript and images into static/govuk-frontend/.
//
// Both outputs are generated and gitignored; scripts/demo and scripts/test run this.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const frontend = join(root, "node_modules", "govuk-frontend", "dist", "govuk");
const cssOut = join(root, "static", "css", "application.css");
const vendorOut = join(root, "static", "govuk-frontend");

const result = sass.compile(join(root, "assets", "scss", "application.scss"), {
  importers: [new sass.NodePackageImporter(root)],
  style: "compressed",
  // No source map: whitenoise's manifest storage fails on a missing map file.
  sourceMap: false,
  // GOV.UK Frontend's own deprecation notices are not ours to act on.
  quietDeps: true,
});
mkdirSync(dirname(cssOut), { recursive: true });
writeFileSync(cssOut, result.css + "\n");

rmSync(vendorOut, { recursive: true, force: true });
mkdirSync(join(vendorOut, "assets"), { recursive: true });
// Drop the sourceMappingURL comment: the map is not shipped, and whitenoise's manifest
// storage fails on a reference to a file that does not exist.
const script = readFileSync(join(frontend, "govuk-frontend.min.js"), "utf8");
writeFileSync(
  join(vendorOut, "govuk-frontend.min.js"),
  script.replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, "\n"),
);
// The compiled CSS refers to images (the manifest storage checks every url() exists);
// the fonts are GDS Transport, which this service must not use, so they stay behind.
cpSync(join(frontend, "assets", "images"), join(vendorOut, "assets", "images"), {
  recursive: true,
});
cpSync(join(frontend, "assets", "manifest.json"), join(vendorOut, "assets", "manifest.json"));
