"""Who sees which export job: only the person who asked for it."""
from sqlalchemy import select

from portal.extensions import db
from portal.models import User
from portal.models.exports import ExportJob


def get_export_job_or_404(viewer: User, export_job_id: int) -> ExportJob:
    """An export job of this person's (nobody else's, not even an admin's: it holds the rows of
    their scope), or 404."""
    return db.first_or_404(select(ExportJob).where(ExportJob.id == export_job_id,
                                                   ExportJob.requested_by_id == viewer.id))
