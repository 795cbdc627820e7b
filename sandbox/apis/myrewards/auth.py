"""MyRewards authentication policy."""


def replay_headers(section: dict, auth: dict, method: str, path: str, body: bytes) -> dict:
    """Headers that authenticate a replayed request as the credential named by `auth`."""
    return {}
