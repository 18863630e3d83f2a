# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Helpers of the tests: where the official FNFE-MPE artefacts are"
import os
import pathlib

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
