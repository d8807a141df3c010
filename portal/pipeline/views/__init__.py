"""Views of the pipeline, one file per sub-feature: the deals, the manager's views, the partials
other pages include, the admins' settings. Importing this package registers their routes."""
from portal.pipeline import bp
from portal.pipeline.labels import OUTCOME_LABELS


@bp.app_context_processor
def _labels():
    return {"outcome_labels": OUTCOME_LABELS}


from portal.pipeline.views import deals, manager, partials, settings  # noqa: E402,F401
