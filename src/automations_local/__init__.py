"""Docker-free local tooling: API Gateway events, tables from template.yaml, and
(later) the local server. Never imported by the Lambda (automations/)."""
