// Starts the GOV.UK Frontend components (error summary focus, service navigation toggle, and so on).
// Loaded as <script type="module">, so browsers without ES modules get the no-JavaScript pages, which work.
import { initAll } from './dist/govuk/govuk-frontend.min.js'

initAll()
