"""Page sizes the API accepts."""

MAX_PAGE_SIZE = 200


def page_limit(requested: int) -> int:
    """The page size to use: what the client asked for, at most MAX_PAGE_SIZE."""
    if requested > MAX_PAGE_SIZE:
        return MAX_PAGE_SIZE
    return requested
