"""Sample records for the routes of the appraisal module. The sample appraisal is staff1's, at self-assessment, so the
later steps are closed to everyone at that point (the workflow tests cover each step)."""
from portal.extensions import db
from portal.models.appraisals import PrintJob, PrintJobState
from tests.appraisal_factories import appraisal_of, make_cycle, make_template

#: The sample appraisal is at self-assessment and its cycle a draft: these steps are not open yet.
CLOSED_FOR_THE_SAMPLE = {"appraisals.review", "appraisals.feedback", "appraisals.acknowledge",
                         "appraisals.close", "appraisals.reopen", "appraisals.cycle_close"}


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
