"""Page sizes the API accepts."""
from pydantic import BaseModel, Field

MAX_PAGE_SIZE = 200


def page_limit(requested: int) -> int:
    """The page size to use: what the client asked for, at most MAX_PAGE_SIZE."""
    if requested > MAX_PAGE_SIZE:
        return MAX_PAGE_SIZE
    return requested


class PageQuery(BaseModel):
    """The query of a paged list: built per request by FastAPI (`Depends()`)."""

    page: int = 1
    per_page: int = 50  # expect: unbounded-page-size -- the orders feed takes it from the query, with no maximum


class CappedPageQuery(BaseModel):
    page: int = 1
    per_page: int = Field(50, ge=1, le=200)  # ok: unbounded-page-size


class ExportOptions(BaseModel):
    limit: int = 1000  # ok: unbounded-page-size -- no route takes this model from its query
