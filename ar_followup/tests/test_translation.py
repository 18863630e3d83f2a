# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The French translation covers every string the module adds.

Run as a script to update locale/fr.po with the new strings (their French
text is then to be written): python -m
trytond.modules.ar_followup.tests.test_translation
"""
import os
import sys
import unittest

import polib

from trytond.pool import Pool
from trytond.tests.test_tryton import (
    activate_module, drop_db, with_transaction)

# with the modules of the extras_depend, for their strings to be exported
MODULES = ['ar_followup', 'sale_credit_limit', 'web_user']
PO_PATH = os.path.join(
    os.path.dirname(os.path.dirname(__file__)), 'locale', 'fr.po')


def module_strings():
    "Return the POFile of the strings of ar_followup in the database"
    pool = Pool()
    Translation = pool.get('ir.translation')
    TranslationSet = pool.get('ir.translation.set', type='wizard')
    session_id, _, _ = TranslationSet.create()
    translation_set = TranslationSet(session_id)
    translation_set.transition_set_()
    TranslationSet.delete(session_id)
    return polib.pofile(
        Translation.translation_export('en', 'ar_followup').decode('utf-8'))


def key(entry):
    return (entry.msgctxt, entry.msgid)


class TranslationTestCase(unittest.TestCase):
    "Test the French translation of ar_followup"

    @classmethod
    def setUpClass(cls):
        drop_db()
        activate_module(MODULES)
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        drop_db()

    @with_transaction()
    def test_every_string_translated(self):
        "Every string of the module has a French translation"
        french = {key(e): e for e in polib.pofile(PO_PATH)}
        missing = [
            f"{e.msgctxt} {e.msgid!r}" for e in module_strings()
            if key(e) not in french
            or not french[key(e)].msgstr
            or 'fuzzy' in french[key(e)].flags]
        self.assertFalse(missing,
            msg="untranslated in locale/fr.po:\n" + '\n'.join(missing))


def update_po():
    "Add the missing strings to fr.po, keeping the translations"
    activate_module(MODULES)
    from trytond.tests.test_tryton import DB_NAME
    from trytond.transaction import Transaction
    with Transaction().start(DB_NAME, 0):
        strings = module_strings()
    french = (polib.pofile(PO_PATH) if os.path.exists(PO_PATH)
        else polib.POFile())
    known = {key(e): e for e in french}
    current = set()
    for entry in strings:
        current.add(key(entry))
        if key(entry) not in known:
            entry.msgstr = ''
            french.append(entry)
            print("new:", entry.msgctxt, entry.msgid)
    for entry in list(french):
        if key(entry) not in current:
            french.remove(entry)
            print("obsolete:", entry.msgctxt, entry.msgid)
    french.metadata = {'Content-Type': 'text/plain; charset=utf-8'}
    french.sort(key=lambda e: (e.msgctxt or '', e.msgid))
    french.save(PO_PATH)


if __name__ == '__main__':
    sys.exit(update_po())
