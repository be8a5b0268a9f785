"""Tags: a script's own tags and each user's personal tags; search by tags."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from flask import Blueprint, jsonify, request
from flask_login import current_user
from pydantic import Field

from server.api.common import Body, accepts, actor, documented
from server.api.presenters import script_json
from server.api.query import ChoiceArg, QueryArg, reads
from server.security.access import require_level
from server.services.catalog.fields import TagRules
from server.services.catalog.tags import split_tags
from server.services.errors import InvalidInput
from server.services.registry import services

bp = Blueprint("tags_api", __name__, url_prefix="/api")


def tag_pattern(rules: TagRules) -> str:
    """Return the pattern of one tag under ``rules`` (surrounding spaces are stripped)."""
    return rf"^\s*(?:[A-Za-z0-9_-]{{1,{rules.max_length}}})?\s*$"


# At least one tag that is not blank (the view says so with its own message).
WANTED = QueryArg("tags", "Comma-separated tags.", required=True, pattern=r"[^\s,]")
MATCH = ChoiceArg(
    "match", "Scripts with all or any of the tags.", choices=("all", "any"), default="any"
)


class TagList(Body):
    """The user's tags for one script."""

    # Blank and repeated tags are dropped; the API reference shows the configured limits.
    tags: list[Annotated[str, documented(tag_pattern(TagRules()))]] = Field(max_length=200)


@bp.get("/scripts/<int:script_id>/tags")
@require_level("viewer")
def get_tags(script_id: int):
    """Return the script's own tags and the user's tags on it."""
    svc = services()
    script, _group = svc.catalog.script_for(script_id, current_user.user_level)
    personal = svc.tags.user_tags(current_user.id).get(script.id, [])
    return jsonify({"system": split_tags(script.tags), "user": personal})


@bp.put("/scripts/<int:script_id>/tags")
@require_level("viewer")
@accepts(TagList)
def put_tags(script_id: int, body: TagList):
    """Replace the user's tags on the script."""
    svc = services()
    script, _group = svc.catalog.script_for(script_id, current_user.user_level)
    tags = svc.tags.set_user_tags(current_user.id, script, body.tags, actor())
    return jsonify({"system": split_tags(script.tags), "user": tags})


@bp.get("/scripts/search-tags")
@require_level("viewer")
@reads(WANTED, MATCH)
def search_tags():
    """Find scripts by tags: ``?tags=a,b&match=all|any`` (own and personal tags)."""
    wanted = [tag.strip() for tag in request.args.get("tags", "").split(",") if tag.strip()]
    if not wanted:
        raise InvalidInput("Give at least one tag: ?tags=a,b", field="tags")
    match = MATCH.read()
    svc = services()
    found = svc.tags.search(current_user.id, current_user.user_level, wanted, match == "all")
    personal = svc.tags.user_tags(current_user.id)
    return jsonify({"items": [script_json(s, g, personal.get(s.id)) for s, g in found]})


@bp.get("/tags")
@require_level("viewer")
def visible_tags():
    """List every tag on a script the user may see, with counts (system and personal)."""
    found = services().tags.visible_tags(current_user.id, current_user.user_level)
    return jsonify({"items": [asdict(entry) for entry in found]})


@bp.get("/user/tags")
@require_level("viewer")
def user_tags():
    """List the user's personal tags with how many scripts carry each."""
    counts = services().tags.tag_counts(current_user.id)
    return jsonify({"items": [{"tag": tag, "count": count} for tag, count in counts]})
