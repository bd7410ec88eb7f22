"""Docker-free local tooling: the local API of ``make run`` (a gateway that plays
API Gateway for the routes of template.yaml, dev tokens, embedded storage), the
one builder of payload-2.0 events, tables from the template, ``make invoke``, the
OpenAPI generator, the bytecode list and ``make bench``. Never imported by a
function (automations/), never packaged with one."""
