# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import configparser
import os
import re
import unittest

from trytond.modules.company.tests import CompanyTestMixin
from trytond.tests.test_tryton import ModuleTestCase

MODULE_DIR = os.path.dirname(os.path.dirname(__file__))


class ArFollowupTestCase(CompanyTestMixin, ModuleTestCase):
    "Test ar_followup module"
    module = 'ar_followup'
    # the login classes of the customer portal are registered with it
    extras = ['web_user']


class ViewFilesTestCase(unittest.TestCase):
    "Every arch file in views/ is used by a view record"

    def test_no_unused_arch_file(self):
        config = configparser.ConfigParser()
        with open(os.path.join(MODULE_DIR, 'tryton.cfg')) as fp:
            config.read_file(fp)
        data_files = config.get('tryton', 'xml').split()
        used = set()
        for data_file in data_files:
            with open(os.path.join(MODULE_DIR, data_file)) as fp:
                used.update(re.findall(
                        r'<field name="name">\.\./views/([\w]+)</field>',
                        fp.read()))
        views_dir = os.path.join(MODULE_DIR, 'views')
        arch_files = {
            name[:-len('.xml')] for name in os.listdir(views_dir)
            if name.endswith('.xml')
            and os.path.join('views', name) not in data_files}
        self.assertFalse(
            arch_files - used, msg="arch files not used by any view")
        self.assertFalse(
            used - arch_files, msg="view records without arch file")


del ModuleTestCase
