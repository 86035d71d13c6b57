"""ClaimBot: fair, database-decided customer ownership for sales teams in Slack."""
