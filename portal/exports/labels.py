"""Translated names of an export job's states."""
from flask_babel import lazy_gettext as _l

from portal.models.exports import ExportJobState

STATE_LABELS = {ExportJobState.QUEUED: _l("Waiting"), ExportJobState.RUNNING: _l("Writing"),
                ExportJobState.DONE: _l("Done"), ExportJobState.FAILED: _l("Failed")}
