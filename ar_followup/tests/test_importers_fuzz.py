# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Hostile files through the importers of the database (insurer decisions
wizard, lifecycle statuses CSV and CDAR): a refused file raises a
translated message and leaves the database as it was; an accepted one
writes only its valid lines, text kept as text (never evaluated)."""
import contextlib
import datetime as dt
import unittest

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trytond.exceptions import UserError
from trytond.modules.account.tests import create_chart
from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.transaction import Transaction

from ..rules.importers import DEFAULT_MAX_SIZE, INSURER_COLUMNS, csv_safe
from ..rules.lifecycle import CSV_COLUMNS

# the examples drawn per property (the figures of SECURITY.md)
EXAMPLES = 150
FUZZ = settings(max_examples=EXAMPLES, deadline=None,
    suppress_health_check=list(HealthCheck))
SIREN = '732829320'
FORMULAS = ["=cmd|' /C calc'!A0", '@SUM(1+1)*cmd|" /C calc"!A0',
    '+1+1', '-2+3', '=HYPERLINK("http://evil.example","x")', '\t=1', '\r=1']

cell = st.one_of(
    st.text(max_size=30), st.sampled_from(FORMULAS),
    st.sampled_from(['', SIREN, 'EUR', 'USD', '2026-01-31', '31/01/2026',
            '1000', '1 000,50', '-5', '150', 'nan', '200', '207', '212',
            'F1', 'AUTRE']))


def csv_file(columns, encoding, separator):
    "A CSV file of random cells under the header columns"
    def build(rows):
        lines = [separator.join(columns)]
        lines += [separator.join(row) for row in rows]
        return '\n'.join(lines).encode(encoding, errors='replace')
    return st.lists(
        st.lists(cell, min_size=len(columns), max_size=len(columns)),
        max_size=8).map(build)


def header_variants(columns):
    "The columns, some missing, duplicated, renamed or shuffled"
    return st.one_of(
        st.just(list(columns)),
        st.permutations(list(columns)),
        st.lists(st.sampled_from(list(columns)), max_size=len(columns) + 2),
        st.lists(st.text(max_size=12), max_size=len(columns)))


def hostile_files(columns):
    "Random bytes, random cells under good or bad headers, odd encodings"
    return st.one_of(
        st.binary(max_size=400),
        header_variants(columns).flatmap(
            lambda header: csv_file(header, 'utf-8', ';')),
        st.tuples(header_variants(columns),
            st.sampled_from(['cp1252', 'utf-16', 'latin-1', 'utf-8-sig']),
            st.sampled_from([';', ',', '\t', '|'])).flatmap(
            lambda t: csv_file(*t)))


class ImportersFuzzTestCase(unittest.TestCase):
    "Test the importers of the database with hostile files"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        activate_module('ar_followup')

    @contextlib.contextmanager
    def company(self):
        "A company, a customer with a SIREN and an insurance"
        company = create_company()
        with set_company(company):
            self.setup_company(company)
            yield company

    @contextlib.contextmanager
    def invoice(self):
        "The company of company() and a customer invoice numbered F1"
        with self.company() as company:
            self.setup_invoice(company)
            yield company, Pool().get('account.invoice.lifecycle_status')

    def setup_company(self, company):
        pool = Pool()
        Party = pool.get('party.party')
        Insurance = pool.get('party.credit_insurance')
        customer = Party(name="Durand", addresses=[{}], identifiers=[
                {'type': 'fr_siren', 'code': SIREN}])
        customer.save()
        Insurance.create([{
                    'company': company.id, 'party': customer.id,
                    'insurer': "Allianz Trade", 'insured_limit': 1000,
                    'coverage_percent': 90,
                    'decision_date': dt.date(2026, 1, 1)}])

    def snapshot(self, model):
        "Every row of the table of model"
        Model = Pool().get(model)
        cursor = Transaction().connection.cursor()
        table = Model.__table__()
        cursor.execute(*table.select(order_by=table.id))
        return cursor.fetchall()

    def assertRefusedUnchanged(self, model, call):
        "call() either writes or is refused with a message, writing nothing"
        before = self.snapshot(model)
        try:
            call()
        except UserError as error:
            self.assertNotIn('ar_followup.msg', error.message)
            self.assertTrue(error.message.strip())
            self.assertEqual(self.snapshot(model), before)
            return False
        return True

    def import_insurer(self, data):
        "Run the wizard: preview then import, as the client does"
        Wizard = Pool().get('party.credit_insurance.import', type='wizard')
        session_id, _, _ = Wizard.create()
        wizard = Wizard(session_id)
        wizard.start.file = data
        wizard.default_preview(None)
        wizard.transition_import_()

    @with_transaction()
    def test_insurer_decisions_hostile(self):
        "Hostile insurer files: refused whole or only valid lines written"
        with self.company() as company:
            self.check_insurer_hostile(company)

    def check_insurer_hostile(self, company):
        Insurance = Pool().get('party.credit_insurance')

        @FUZZ
        @given(hostile_files(INSURER_COLUMNS))
        def check(data):
            if self.assertRefusedUnchanged('party.credit_insurance',
                    lambda: self.import_insurer(data)):
                insurance, = Insurance.search([('company', '=', company.id)])
                self.assertGreaterEqual(insurance.insured_limit, 0)
                self.assertTrue(0 <= insurance.coverage_percent <= 100)
                # a formula is kept as text, and neutralised on export
                self.assertFalse(csv_safe(insurance.insurer).startswith(
                        ('=', '+', '-', '@', '\t', '\r')))
        check()

    @with_transaction()
    def test_insurer_decisions_huge(self):
        "An insurer file over the size limit is refused, nothing written"
        with self.company():
            self.assertFalse(self.assertRefusedUnchanged(
                    'party.credit_insurance',
                    lambda: self.import_insurer(
                        b'x' * (DEFAULT_MAX_SIZE + 1))))

    def setup_invoice(self, company):
        pool = Pool()
        Account = pool.get('account.account')
        Invoice = pool.get('account.invoice')
        Journal = pool.get('account.journal')
        Party = pool.get('party.party')
        create_chart(company)
        receivable, = Account.search([
                ('type.receivable', '=', True),
                ('company', '=', company.id),
                ('closed', '!=', True),
                ], limit=1)
        journal, = Journal.search([('type', '=', 'revenue')], limit=1)
        party, = Party.search([('name', '=', "Durand")], limit=1)
        Invoice.create([{
                    'company': company.id, 'type': 'out', 'number': 'F1',
                    'party': party.id,
                    'invoice_address': party.address_get().id,
                    'account': receivable.id, 'journal': journal.id,
                    'currency': company.currency.id,
                    'invoice_date': dt.date(2026, 1, 1)}])

    @with_transaction()
    def test_lifecycle_csv_hostile(self):
        "Hostile lifecycle CSV files: all the file or nothing"
        with self.invoice() as (company, Status):
            self.check_lifecycle_csv(company, Status)

    def check_lifecycle_csv(self, company, Status):

        @FUZZ
        @given(hostile_files(CSV_COLUMNS))
        def check(data):
            self.assertRefusedUnchanged(
                'account.invoice.lifecycle_status',
                lambda: Status.import_file(company, data))
        check()

    @with_transaction()
    def test_lifecycle_cdar_hostile(self):
        "Hostile CDAR messages: refused with a message, nothing written"
        with self.invoice() as (company, Status):
            self.check_lifecycle_cdar(company, Status)

    def check_lifecycle_cdar(self, company, Status):
        documents = st.one_of(
            st.binary(max_size=300).map(lambda b: b'<' + b),
            st.text(max_size=200).map(
                lambda t: ('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e '
                    'SYSTEM "file:///etc/passwd">]><r>&e;%s</r>' % t)
                .encode('utf-8', errors='replace')),
            st.sampled_from(FORMULAS).map(
                lambda f: ('<r><ID>%s</ID></r>' % f).encode()),
            st.text(max_size=200).map(
                lambda t: ('<r>%s</r>' % t).encode('utf-16')))

        @FUZZ
        @given(documents)
        def check(data):
            self.assertFalse(self.assertRefusedUnchanged(
                    'account.invoice.lifecycle_status',
                    lambda: Status.import_file(company, data)))
        check()

    @with_transaction()
    def test_lifecycle_huge(self):
        "A lifecycle file over the size limit is refused, nothing written"
        with self.invoice() as (company, Status):
            self.check_lifecycle_huge(company, Status)

    def check_lifecycle_huge(self, company, Status):
        for data in [b'x' * (DEFAULT_MAX_SIZE + 1),
                b'<' + b'x' * DEFAULT_MAX_SIZE]:
            self.assertFalse(self.assertRefusedUnchanged(
                    'account.invoice.lifecycle_status',
                    lambda: Status.import_file(company, data)))

    @with_transaction()
    def test_lifecycle_formula_cells_kept_as_text(self):
        "A formula in a reason is stored as text and neutralised on export"
        with self.invoice() as (company, Status):
            self.check_formula_cells(company, Status)

    def check_formula_cells(self, company, Status):
        header = ';'.join(CSV_COLUMNS) + ';reason_code;reason'
        for day, formula in enumerate(FORMULAS, 1):
            data = ('%s\nF1;207;2026-02-%02d;AUTRE;%s\n' % (
                    header, day, formula.replace('\r', ''))).encode()
            self.assertEqual(Status.import_file(company, data), (1, 0))
        statuses = Status.search([])
        self.assertEqual(len(statuses), len(FORMULAS))
        for reason in {s.reason for s in statuses}:
            self.assertFalse(csv_safe(reason).startswith(
                    ('=', '+', '-', '@', '\t', '\r')))
