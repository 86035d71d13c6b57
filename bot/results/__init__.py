"""What services return: plain result values, one module per service (bot/services/<name>.py), with
enums for outcomes. No Slack, no database: views render them, listeners pass them on."""
