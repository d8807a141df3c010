"""Views of the customers module, one file per sub-feature: customers, contacts, allocation and
visits. Importing this package registers their routes on the blueprint."""
from portal.customers import bp
from portal.customers.forms import (BAND_LABELS, METHOD_LABELS, POTENTIAL_LABELS, STATUS_LABELS,
                                    TIER_LABELS)


@bp.app_context_processor
def _labels():
    """The label maps of the module, for its templates."""
    return {"tier_labels": TIER_LABELS, "status_labels": STATUS_LABELS,
            "method_labels": METHOD_LABELS, "potential_labels": POTENTIAL_LABELS,
            "band_labels": BAND_LABELS}


from portal.customers.views import allocation, contacts, customers, imports, visits  # noqa: E402,F401
