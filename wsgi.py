"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi …`."""
import gc

from portal import create_app

app = create_app()
# The ~230,000 objects of the app, its templates and libraries live as long as the process: moved
# out of the collector's sight, a full collection no longer walks them (130–150 ms every 8–30
# requests at size L; it was most of the gap between the pages' p50 and p95).
gc.freeze()
