"""The one Slack layer that commands, actions and jobs share: the Web API client, the user's language,
how a listener answers inside Slack's 3 seconds (``listening``), the App Home tab, and the delivery of
the outbox. It imports services, views, rules and i18n, never commands, actions or jobs."""
