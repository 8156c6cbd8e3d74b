"""Development PKI (certomancer): root, school CA, OCSP, CRLs, TSA, staff and seal certificates.

For development, tests and the demo only; production keys live on tokens, HSMs or remote signing services.
"""

from ._serving import free_port
from .errors import PeopleFileError, PkiError, UnknownSignerError
from .people import people_from_records, people_from_staff
from .service import DEV_PASSWORD, DevPki, Person, cert_label, init, revoke, serve

__all__ = [
    "DEV_PASSWORD",
    "DevPki",
    "PeopleFileError",
    "Person",
    "PkiError",
    "UnknownSignerError",
    "cert_label",
    "free_port",
    "init",
    "people_from_records",
    "people_from_staff",
    "revoke",
    "serve",
]
