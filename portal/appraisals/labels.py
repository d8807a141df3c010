"""The names of the appraisal states and kinds in the reader's language."""
from flask_babel import lazy_gettext as _l

from portal.models.appraisals import (AppraisalStatus, CycleStatus, FigureSource, IndicatorKind,
                                      PrintJobState)

KIND_LABELS = {IndicatorKind.QUANTITATIVE: _l("Quantitative (from the data)"),
               IndicatorKind.QUALITATIVE: _l("Qualitative (scored by people)")}
SOURCE_LABELS = {
    FigureSource.ATTAINMENT: _l("Target attainment %"),
    FigureSource.SATISFACTION: _l("Customer satisfaction (1–5)"),
    FigureSource.NEW_CUSTOMERS: _l("New customers"),
    FigureSource.NEW_PRODUCT_LINES: _l("New product lines sold"),
    FigureSource.DUTY_FULFILMENT: _l("Service-duty fulfilment %"),
    FigureSource.TRAINING_COMPLIANCE: _l("Training compliance %"),
    FigureSource.PIPELINE_COVERAGE: _l("Pipeline coverage % (weighted pipeline ÷ remaining target)"),
}
CYCLE_STATUS_LABELS = {CycleStatus.DRAFT: _l("Draft"), CycleStatus.OPEN: _l("Open"),
                       CycleStatus.CLOSED: _l("Closed")}
STATUS_LABELS = {
    AppraisalStatus.SELF_ASSESSMENT: _l("Self-assessment"),
    AppraisalStatus.MANAGER_REVIEW: _l("Manager review"),
    AppraisalStatus.FEEDBACK: _l("Feedback talk"),
    AppraisalStatus.ACKNOWLEDGEMENT: _l("Awaiting acknowledgement"),
    AppraisalStatus.ACKNOWLEDGED: _l("Acknowledged"),
    AppraisalStatus.CLOSED: _l("Closed"),
}
JOB_STATE_LABELS = {PrintJobState.QUEUED: _l("Waiting"), PrintJobState.RUNNING: _l("Rendering"),
                    PrintJobState.DONE: _l("Done"), PrintJobState.FAILED: _l("Failed")}
