"""Routes of the appraisal module. The sample appraisal is staff1's, at self-assessment, so the
later steps are closed to everyone at that point (the workflow tests cover each step)."""
from portal.extensions import db
from portal.models.appraisals import PrintJob, PrintJobState
from tests.appraisal_factories import appraisal_of, make_cycle, make_template

HR = {"hr"}
ROUTES = {
    "appraisals.index": {"staff1", "manager1", "hr", "admin"},
    "appraisals.detail": {"staff1", "manager1", "hr"},
    "appraisals.self_assessment": {"staff1"},
    "appraisals.review": set(),
    "appraisals.feedback": set(),
    "appraisals.acknowledge": set(),
    "appraisals.close": set(),
    "appraisals.reopen": set(),
    "appraisals.job": HR,
    "appraisals.job_download": HR,
    "appraisals.cycles": HR,
    "appraisals.cycle_create": HR,
    "appraisals.cycle_detail": HR,
    "appraisals.cycle_edit": HR,
    "appraisals.cycle_open": HR,
    "appraisals.cycle_close": set(),
    "appraisals.templates": HR,
    "appraisals.template_create": HR,
    "appraisals.template_detail": HR,
    "appraisals.template_edit": HR,
    "appraisals.indicator_create": HR,
    "appraisals.indicator_edit": HR,
    "appraisals.indicator_delete": HR,
}
POST_ONLY = {"appraisals.print_form", "appraisals.cycle_print", "appraisals.template_copy"}


def sample_args(org) -> dict:
    """staff1's appraisal in an open cycle; a draft cycle and an unused template; hr's print job."""
    used = make_template()
    cycle = make_cycle(used, areas=[org.areas[0]])
    unused = make_template()
    draft = make_cycle(unused, opened=False)
    job = PrintJob(requested_by_id=org.users["hr"].id, appraisal_ids=[], locale="en",
                   state=PrintJobState.DONE, pdf=b"%PDF-1.7\n%%EOF\n", size=15)
    db.session.add(job)
    db.session.commit()
    return {"appraisal_id": appraisal_of(cycle, org.users["staff1"]).id, "cycle_id": draft.id,
            "template_id": unused.id, "indicator_id": unused.indicators[0].id, "job_id": job.id}
