# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Helpers of the tests: where the official FNFE-MPE artefacts and the
benchmark generator are"""
import os
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]


def fnfe_folder():
    """Return the folder of the FNFE-MPE artefacts: the one in
    AR_FOLLOWUP_FNFE, else shared/reference/fnfe beside the repository
    root or beside one of its parents (None when there is none)"""
    if os.environ.get('AR_FOLLOWUP_FNFE'):
        return os.environ['AR_FOLLOWUP_FNFE']
    for parent in ROOT.parents:
        folder = parent / 'shared' / 'reference' / 'fnfe'
        if folder.is_dir():
            return str(folder)


def fnfe_missing(subfolder=''):
    "Return why the FNFE-MPE artefacts cannot be used, or None"
    folder = fnfe_folder()
    if not folder:
        return ("the FNFE-MPE artefacts are not in shared/reference/fnfe "
            "beside %s or its parents (set AR_FOLLOWUP_FNFE)" % ROOT)
    if not os.path.isdir(os.path.join(folder, subfolder)):
        return "the FNFE-MPE artefacts lack %s in %s" % (subfolder, folder)


def facturx_missing():
    "The skip reason of the Factur-X documents, or None"
    return fnfe_missing('Factur-X')


def benchmark_generator():
    """Return the module benchmarks.generate of the repository, None when
    benchmarks/ is not beside the module (installed package)"""
    if (ROOT / 'benchmarks').is_dir() and str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    try:
        from benchmarks import generate
    except ImportError:
        return None
    return generate


def postgresql_missing():
    """The skip reason of the documents that share their database with
    other processes (SQLite's test database is in memory), or None"""
    from trytond import backend
    if backend.name != 'postgresql':
        return "needs PostgreSQL: several processes share the database"
