"""Case operations: the one layer behind the CLI, the HTTP API and (next) the web pages.

`service.inputs` checks what a caller sends (no server needed), `service.operations` talks to
Temporal, `service.errors` is the one set of failures every surface maps to its own form
(exit status, HTTP status and problem document).
"""
