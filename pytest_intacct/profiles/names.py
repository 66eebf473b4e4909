"""The fixed vocabulary of profiles: severities and areas (one suite file per area)."""

SEVERITIES = ("critical", "high", "medium", "low")
AREAS = ("access", "user", "permissions", "setup", "across-environments")


def marker_name(area: str) -> str:
    """The pytest marker of an area: ``across-environments`` is ``-m across_environments``."""
    return area.replace("-", "_")
