"""Shapes shared by every router: the error bodies (api/errors.py) and a page of a list."""

from ninja import Schema


class Problem(Schema):
    """Why a call was refused, in plain words."""

    detail: str


class InvalidInput(Schema):
    """Invalid input: a message for each field that was refused ("__all__" for the whole)."""

    detail: str
    errors: dict[str, list[str]]


# Add these to an operation's `response=` so the OpenAPI document says what each refusal looks like.
# Every operation may answer 422: a path or query parameter that is not valid.
REFUSALS: dict[int, type[Schema]] = {401: Problem, 403: Problem, 404: Problem, 422: InvalidInput, 429: Problem}
STEP_REFUSALS: dict[int, type[Schema]] = REFUSALS | {409: Problem}
