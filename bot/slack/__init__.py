"""The one Slack layer that commands, actions and jobs share (client, language, delivery, Home)."""
