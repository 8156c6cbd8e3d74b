"""Development tooling, installed with the `dev` extra and never in the image: the development PKI (certomancer:
root, school CA, OCSP, CRLs, TSA, remote-signing doubles), the demo, the benchmarks and a local S3 server.

The command line offers them (`hocba pki`, `hocba demo`, `hocba bench`) when this package and its dependencies are
installed.
"""
