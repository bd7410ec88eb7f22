"""Docker-free local tooling: the local API of ``make run`` (a gateway that plays
API Gateway for the routes of template.yaml, dev tokens, embedded storage), how
the JWT authorizer renders claims, tables from the template, ``make invoke``, the
OpenAPI generator, the bytecode list, ``make bench``, the template's generated
per-function resources and the one builder of payload-2.0 events. Never
imported by a function (automations/), never packaged with one."""
