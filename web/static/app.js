// GOV.UK Frontend's components (error summary focus, ...); the pages work without it.
import { initAll } from '/static/govuk/govuk-frontend.min.js'

initAll()
