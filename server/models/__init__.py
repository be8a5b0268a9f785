"""SQLAlchemy models of every table; importing this package registers them all."""

from server.models.api_token import ApiToken
from server.models.audit import AuditEvent
from server.models.base import Base, utcnow
from server.models.catalog import (
    CondaEnvironment,
    MetadataHistory,
    Script,
    ScriptGroup,
    UserScriptTag,
)
from server.models.docs import DocVersion
from server.models.favourites import UserFavourite
from server.models.log_filters import LogFilterPreset
from server.models.presets import ParameterPreset
from server.models.run_marks import RunMark
from server.models.runs import ExecutionLog, PortAllocation, ScriptProcess, UserProject
from server.models.schedule import Schedule
from server.models.user import AuthSession, User

__all__ = [
    "ApiToken",
    "AuditEvent",
    "AuthSession",
    "Base",
    "CondaEnvironment",
    "DocVersion",
    "ExecutionLog",
    "LogFilterPreset",
    "MetadataHistory",
    "ParameterPreset",
    "PortAllocation",
    "RunMark",
    "Schedule",
    "Script",
    "ScriptGroup",
    "ScriptProcess",
    "User",
    "UserFavourite",
    "UserProject",
    "UserScriptTag",
    "utcnow",
]
