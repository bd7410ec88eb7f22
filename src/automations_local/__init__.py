"""Docker-free local tooling: the local API of ``make run`` (a gateway that plays
API Gateway for the routes of template.yaml, dev tokens, embedded storage), how
the JWT authorizer renders claims, tables from the template, ``make invoke``, the
OpenAPI generator, the bytecode list and ``make bench``. (The one builder of
payload-2.0 events is the function package's, ``automations.http_event``.) Never
imported by a function (automations/), never packaged with one."""
