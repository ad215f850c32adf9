def only_public_api(endpoints, **kwargs):
    """Publish the v1 API only (not Wagtail's admin API)."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]
