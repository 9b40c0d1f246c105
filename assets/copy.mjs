// Copies the parts of govuk-frontend that H2H serves into static/dist/govuk/.
// Only the images and the JavaScript: the fonts (GDS Transport) are for GOV.UK services only.
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const src = join(root, "node_modules", "govuk-frontend", "dist", "govuk");
const dest = join(root, "static", "dist", "govuk");

rmSync(dest, { recursive: true, force: true });
mkdirSync(join(dest, "assets"), { recursive: true });
cpSync(join(src, "assets", "images"), join(dest, "assets", "images"), { recursive: true });
cpSync(join(src, "govuk-frontend.min.js"), join(dest, "govuk-frontend.min.js"));
console.log("Copied govuk-frontend images and JavaScript to static/dist/govuk/");
