"""Sample records for the exports module's routes: an export job of staff1's."""
from portal.extensions import db
from portal.models.exports import ExportJob, ExportJobState


def sample_args(org) -> dict:
    """A finished export of staff1's (only staff1 gets its pages; everyone else 404)."""
    job = ExportJob(requested_by_id=org.users["staff1"].id, kind="sales", args={}, format="csv",
                    locale="en", state=ExportJobState.DONE, filename="sales.csv",
                    content=b"\xef\xbb\xbfa\r\n", size=6)
    db.session.add(job)
    db.session.commit()
    return {"export_job_id": job.id}
