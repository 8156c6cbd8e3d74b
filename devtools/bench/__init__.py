"""Speed and memory figures (targets are checked here, never in timed tests), each a dict the command line prints
as JSON. Measurements and their history are in docs/performance.md."""

from .api import api_figures
from .archive import archive_figures
from .copies import copies_figures
from .pages import pages_figures
from .principal import principal_figures
from .render import render_figures
from .retention import retention_figures, review_figures
from .sign import sign_figures

__all__ = [
    "api_figures",
    "archive_figures",
    "copies_figures",
    "pages_figures",
    "principal_figures",
    "render_figures",
    "retention_figures",
    "review_figures",
    "sign_figures",
]
