"""Create Automation: POST /v1/automations on AWS Lambda (see README.md)."""
