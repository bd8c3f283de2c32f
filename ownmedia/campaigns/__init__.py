"""Campaigns with targets: "2,000,000 pageviews between these two days", measured week by
week against the pace the site actually has (model: what a campaign is; progress: what the
Stats API says so far; projection: where the current trend leads and the plain verdict)."""
