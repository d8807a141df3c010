"""Views of the appraisal module, one file per sub-feature: the appraisals and their workflow,
printing, cycles and templates (HR). Importing them registers their routes on the blueprint."""
from flask import current_app
from flask_babel import get_locale

from portal.appraisals import bp
from portal.appraisals.labels import (CYCLE_STATUS_LABELS, JOB_STATE_LABELS, KIND_LABELS,
                                      SOURCE_LABELS, STATUS_LABELS)


@bp.app_context_processor
def _labels():
    """The labels of the module's states and kinds, for every template."""
    return {"appraisal_status_labels": STATUS_LABELS, "cycle_status_labels": CYCLE_STATUS_LABELS,
            "indicator_kind_labels": KIND_LABELS, "figure_source_labels": SOURCE_LABELS,
            "print_job_labels": JOB_STATE_LABELS}


def reader_locale() -> str:
    """The reader's language, as the print jobs record it."""
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


from portal.appraisals.views import cycles, printing, templates, workflow  # noqa: E402,F401
