# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A deterministic French demo company for ar_followup.

`populate` fills an activated database with a company (SIREN, VAT number,
French chart of accounts, EUR), customers of several segments with valid
SIRENs, 18 months of customer invoices, payments on time, late, partial or
missing, advances and credit notes, a collector whose portfolio is the
SMEs, open disputes, a promise to pay that the daily job finds broken and
the KPI snapshots of the last month ends.  The same seed and date give the
same data.
"""
import contextlib
import datetime
import os
import random
import socket
import subprocess
import sys
import tempfile
from collections import defaultdict
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from stdnum import luhn
from stdnum.fr import siren as siren_module

from trytond.pool import Pool
from trytond.transaction import Transaction

CENT = Decimal('0.01')

COMPANY_NAME = "Ateliers Dumas SAS"
NAMES = {
    'key': [
        "Groupe Vauban Industrie", "Distrilux France", "Hexagone Logistique",
        "Batiplus Construction", "Medisud Santé"],
    'sme': [
        "Boulangerie Martin", "Garage des Lilas", "Imprimerie Lefèvre",
        "Menuiserie Bernard", "Cabinet Moreau Conseil", "Transports Girard",
        "Pharmacie du Centre", "Librairie Mercier", "Atelier Fontaine",
        "Electricité Roux", "Plomberie Fournier", "Agence Lambert",
        "Hôtel Bonnet", "Fromagerie Dupuis", "Studio Garnier",
        "Sérigraphie Chevalier", "Clinique Vétérinaire Blanc",
        "Brasserie Guerin", "Ferronnerie Muller", "Optique Henry",
        "Paysages Rousseau", "Traiteur Perrin", "Couture Morel",
        "Informatique Andre", "Cave Mathieu", "Fleurs Clement",
        "Ébénisterie Gauthier", "Architectes Robin", "Nettoyage Masson",
        "Sécurité Sanchez"],
    'public': [
        "Commune de Saint-Aubin", "Lycée Jean Moulin",
        "Centre Hospitalier de Vierzon"],
    'consumer': [
        "Claire Petit", "Julien Durand", "Sophie Leroy", "Marc Lefebvre",
        "Nathalie Simon", "Thomas Michel"],
    }
# segment: (payment term, invoices per month, amount range, behaviours)
SEGMENTS = {
    'key': ('60', 2.0, (4000, 25000),
        ['punctual', 'late', 'slightly_late', 'partial', 'late']),
    'sme': ('30', 1.0, (300, 6000),
        ['punctual', 'punctual', 'slightly_late', 'late', 'partial',
            'unpaid', 'punctual', 'slightly_late']),
    'public': ('30', 1.0, (1500, 9000), ['late', 'late', 'slightly_late']),
    'consumer': ('0', 0.3, (80, 900), ['punctual', 'unpaid', 'late']),
    }
MONTHS = 18


ADMIN_PASSWORD = 'admin'
# The collector of the demo: the SMEs are his portfolio
COLLECTOR_LOGIN = 'collector'
COLLECTOR_PASSWORD = 'relances2026'
# Month-end KPI snapshots stored besides the one of the daily job
SNAPSHOT_MONTH_ENDS = 5


def build(database, today=None, password=ADMIN_PASSWORD, config_file=None,
        mail_dir=None):
    """Create the database, activate ar_followup, fill it with the demo
    company and run the daily follow-up as of today.

    With mail_dir, the follow-up emails of the run are delivered by SMTP to
    a server on loopback that stores them in that Maildir folder."""
    from trytond.modules.ar_followup.cli import in_transaction, run
    create_database(database, password=password, config_file=config_file)
    in_transaction(database, populate, today=today)
    with mail_sink(mail_dir):
        in_transaction(database, run, date=today)


@contextlib.contextmanager
def mail_sink(mail_dir):
    """Run an SMTP server on loopback storing the messages in the Maildir
    mail_dir and point Tryton's email configuration to it"""
    if not mail_dir:
        yield
        return
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Mailbox

    from trytond import config
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        port = probe.getsockname()[1]
    controller = Controller(Mailbox(mail_dir), hostname='127.0.0.1',
        port=port)
    controller.start()
    uri = config.get('email', 'uri')
    config.set('email', 'uri', f'smtp://127.0.0.1:{port}')
    try:
        yield
    finally:
        controller.stop()
        config.set('email', 'uri', uri)


def create_database(database, password=ADMIN_PASSWORD, config_file=None):
    "Create the database and activate ar_followup with its dependencies"
    from trytond import backend
    with Transaction().start(
            None, 0, close=True, autocommit=True) as transaction:
        db = backend.Database(database)
        # listed from the server connection: on PostgreSQL the new
        # database cannot be connected to yet
        if database in transaction.database.list():
            sys.exit(f"The database {database} exists already")
        db.create(transaction.connection, database)
    admin = [os.path.join(os.path.dirname(sys.executable), 'trytond-admin'),
        '-d', database]
    if config_file:
        admin += ['-c', config_file]
    with tempfile.NamedTemporaryFile('w', suffix='.pass') as passfile:
        passfile.write(password)
        passfile.flush()
        env = dict(os.environ, TRYTONPASSFILE=passfile.name)
        subprocess.run(admin + ['--all', '--email', 'admin@example.com'],
            check=True, env=env)
        subprocess.run(admin + ['-u', 'ar_followup', '--activate-dependencies',
                '-l', 'fr'], check=True, env=env)
    Pool(database).init()


def siren(rng):
    "Return a random valid SIREN"
    digits = '%08d' % rng.randrange(10 ** 7, 10 ** 8)
    number = digits + luhn.calc_check_digit(digits)
    assert siren_module.is_valid(number)
    return number


def populate(today=None, seed=20260901):
    """Create the demo company and its receivables in the current
    transaction and return the company"""
    rng = random.Random(seed)
    if today is None:
        today = Pool().get('ir.date').today()
    company = _company(rng)
    with Transaction().set_context(
            company=company.id, _skip_warnings=True):
        accounts = _chart(company)
        _fiscal_years(company, today)
        terms = _payment_terms()
        _configuration()
        customers = _customers(rng, terms)
        invoices = _invoices(rng, company, customers, accounts, today)
        _payments(rng, company, customers, invoices, accounts, today)
        _collector(company, customers)
        _disputes_promises(company, invoices, today)
        _snapshots(company, today)
    return company


def _company(rng):
    pool = Pool()
    Currency = pool.get('currency.currency')
    Rate = pool.get('currency.currency.rate')
    Country = pool.get('country.country')
    Party = pool.get('party.party')
    Company = pool.get('company.company')
    User = pool.get('res.user')
    Lang = pool.get('ir.lang')

    eur, = Currency.create([{
                'name': "Euro", 'code': 'EUR', 'numeric_code': '978',
                'symbol': '€', 'rounding': CENT, 'digits': 2,
                }])
    Rate.create([{
                'currency': eur.id, 'rate': Decimal(1),
                'date': datetime.date(2000, 1, 1)}])
    france, = Country.create([{'name': "France", 'code': 'FR'}])
    number = siren(rng)
    fr, = Lang.search([('code', '=', 'fr')])
    party, = Party.create([{
                'name': COMPANY_NAME,
                'lang': fr.id,
                'addresses': [('create', [{
                                'street': "12 rue des Tanneurs",
                                'postal_code': '69002', 'city': "Lyon",
                                'country': france.id,
                                }])],
                'identifiers': [('create', [
                            {'type': 'fr_siren', 'code': number},
                            {'type': 'eu_vat',
                                'code': 'FR' + siren_module.to_tva(number)},
                            ])],
                }])
    company, = Company.create([{'party': party.id, 'currency': eur.id}])
    admin = User(Transaction().user or 1)
    User.write([admin], {
            'companies': [('add', [company.id])],
            'company': company.id,
            })
    return company


def _chart(company):
    pool = Pool()
    AccountTemplate = pool.get('account.account.template')
    Account = pool.get('account.account')
    ModelData = pool.get('ir.model.data')
    CreateChart = pool.get('account.create_chart', type='wizard')
    Tax = pool.get('account.tax')
    Journal = pool.get('account.journal')

    template = AccountTemplate(ModelData.get_id('account_fr', 'root'))
    session_id, _, _ = CreateChart.create()
    create_chart = CreateChart(session_id)
    create_chart.account.account_template = template
    create_chart.account.company = company
    create_chart.transition_create_account()

    def account(code):
        record, = Account.search([
                ('code', '=', code), ('company', '=', company.id)])
        return record

    create_chart.properties.company = company
    create_chart.properties.account_receivable = account('4111')
    create_chart.properties.account_payable = account('4011')
    create_chart.properties.category_account_revenue = account('706')
    create_chart.properties.category_account_expense = account('607')
    create_chart.transition_create_properties()
    CreateChart.delete(session_id)

    tax, = Tax.search([
            ('company', '=', company.id),
            ('name', '=', "T.V.A. Vente de services 20%"),
            ], limit=1)
    tax = tax.parent or tax
    cash_journal, = Journal.search([('type', '=', 'cash')], limit=1)
    revenue_journal, = Journal.search([('type', '=', 'revenue')], limit=1)
    return {
        'receivable': account('4111'),
        'revenue': account('706'),
        'bank': account('5121'),
        'tax': tax,
        'cash_journal': cash_journal,
        'revenue_journal': revenue_journal,
        }


def _fiscal_years(company, today):
    pool = Pool()
    FiscalYear = pool.get('account.fiscalyear')
    SequenceStrict = pool.get('ir.sequence.strict')
    SequenceType = pool.get('ir.sequence.type')
    move_type, = SequenceType.search([('name', '=', "Account Move")])
    invoice_type, = SequenceType.search([('name', '=', "Invoice")])
    start = today - relativedelta(months=MONTHS + 1)
    for year in range(start.year, today.year + 1):
        move_sequence, = SequenceStrict.create([{
                    'name': str(year), 'sequence_type': move_type.id,
                    'company': company.id}])
        invoice_sequence, = SequenceStrict.create([{
                    'name': str(year), 'sequence_type': invoice_type.id,
                    'company': company.id, 'prefix': 'FA%s-' % year}])
        fiscalyear, = FiscalYear.create([{
                    'name': str(year), 'company': company.id,
                    'start_date': datetime.date(year, 1, 1),
                    'end_date': datetime.date(year, 12, 31),
                    'move_sequence': move_sequence.id,
                    'invoice_sequences': [('create', [{
                                    'company': company.id,
                                    **{f'{t}_sequence': invoice_sequence.id
                                        for t in ['out_invoice',
                                            'out_credit_note', 'in_invoice',
                                            'in_credit_note']},
                                    }])],
                    }])
        FiscalYear.create_period([fiscalyear])


def _payment_terms():
    PaymentTerm = Pool().get('account.invoice.payment_term')
    terms = {}
    for key, name, deltas in [
            ('0', "Comptant", [{'days': 0}]),
            ('30', "30 jours", [{'days': 30}]),
            ('60', "60 jours", [{'days': 60}]),
            ]:
        term, = PaymentTerm.create([{
                    'name': name,
                    'lines': [('create', [{
                                    'type': 'remainder',
                                    'relativedeltas': [('create', deltas)],
                                    }])],
                    }])
        terms[key] = term
    return terms


def _configuration():
    pool = Pool()
    Configuration = pool.get('account.configuration')
    ModelData = pool.get('ir.model.data')
    ConfigWizardItem = pool.get('ir.module.config_wizard.item')
    # The demo is configured: the first login goes straight to the menu
    ConfigWizardItem.write(ConfigWizardItem.search([]), {'state': 'done'})
    config = Configuration(1)
    config.default_dunning_procedure = ModelData.get_id(
        'ar_followup', 'procedure_default')
    config.save()


def _customers(rng, terms):
    Party = Pool().get('party.party')
    vlist, profiles = [], []
    for segment, names in NAMES.items():
        term, _, _, behaviours = SEGMENTS[segment]
        for i, name in enumerate(names):
            values = {
                'name': name,
                'customer_type': {
                    'consumer': 'consumer', 'public': 'public',
                    }.get(segment, 'business'),
                'legal_status': (
                    'collective_proceedings' if name == "Couture Morel"
                    else 'active'),
                'customer_payment_term': terms[term].id,
                'addresses': [('create', [{
                                'city': rng.choice([
                                        "Paris", "Lyon", "Marseille",
                                        "Toulouse", "Nantes", "Lille",
                                        "Bordeaux", "Rennes"]),
                                }])],
                'contact_mechanisms': [('create', [{
                                'type': 'email',
                                'value': '%s@example.com' % (
                                    ''.join(c for c in name.lower()
                                        if c.isalnum())[:20]),
                                }])],
                }
            if segment != 'consumer':
                number = siren(rng)
                values['identifiers'] = [('create', [
                            {'type': 'fr_siren', 'code': number},
                            {'type': 'eu_vat',
                                'code': 'FR' + siren_module.to_tva(number)},
                            ])]
                # the directory address at which the customer receives his
                # e-invoices (his SIREN), required to post his invoices
                values['einvoice_routing_address'] = number
            vlist.append(values)
            profiles.append({
                    'segment': segment,
                    'behaviour': behaviours[i % len(behaviours)],
                    })
    parties = Party.create(vlist)
    return list(zip(parties, profiles))


def _invoices(rng, company, customers, accounts, today):
    pool = Pool()
    Invoice = pool.get('account.invoice')
    start = today - relativedelta(months=MONTHS)
    vlist = []
    for party, profile in customers:
        _, per_month, (low, high), _ = SEGMENTS[profile['segment']]
        month = start.replace(day=1)
        while month <= today:
            count = int(per_month) + (rng.random() < per_month % 1)
            for _ in range(count):
                date = month + datetime.timedelta(days=rng.randrange(28))
                if not (start <= date <= today):
                    continue
                amount = Decimal(rng.randrange(low * 100, high * 100)) / 100
                vlist.append(_invoice_values(
                        party, date, amount, 1, accounts, company))
            month += relativedelta(months=1)
    # A few credit notes on past invoices
    for party, profile in customers[::9]:
        date = today - datetime.timedelta(days=rng.randrange(40, 200))
        amount = Decimal(rng.randrange(5000, 50000)) / 100
        vlist.append(_invoice_values(
                party, date, amount, -1, accounts, company))
    vlist.sort(key=lambda v: v['invoice_date'])
    # Records are browsed in small groups: a record browsed among a long
    # list of ids costs its whole list on each access.
    ids = []
    for sub_vlist in _chunks(vlist, 100):
        invoices = Invoice.create(sub_vlist)
        Invoice.update_taxes(invoices)
        ids.extend(i.id for i in invoices)
    # vlist is sorted by date, so the numbers follow the dates
    for group in _chunks(ids, 50):
        Invoice.post(Invoice.browse(group))
    return ids


def _chunks(items, size):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _invoice_values(party, date, amount, sign, accounts, company):
    return {
        'type': 'out',
        'company': company.id,
        'journal': accounts['revenue_journal'].id,
        'currency': company.currency.id,
        'party': party.id,
        'invoice_address': party.addresses[0].id,
        'invoice_date': date,
        'account': accounts['receivable'].id,
        'payment_term': party.customer_payment_term.id,
        'lines': [('create', [{
                        'type': 'line',
                        'description': "Prestation %s" % date.strftime(
                            '%m/%Y'),
                        'quantity': sign,
                        'unit_price': amount,
                        'account': accounts['revenue'].id,
                        'taxes': [('add', [accounts['tax'].id])],
                        }])],
        }


def _payments(rng, company, customers, invoices, accounts, today):
    """Pay the invoices according to each customer's behaviour"""
    pool = Pool()
    Invoice = pool.get('account.invoice')
    Move = pool.get('account.move')
    MoveLine = pool.get('account.move.line')
    behaviours = {p.id: profile['behaviour'] for p, profile in customers}
    delays = {
        'punctual': (-3, 3),
        'slightly_late': (2, 14),
        'late': (20, 75),
        'partial': (5, 40),
        'unpaid': (10, 60),
        }
    payments = []  # (invoice, date, amount)
    for invoice in (i for ids in _chunks(invoices, 100)
            for i in Invoice.browse(ids)):
        if invoice.total_amount < 0:
            continue
        behaviour = behaviours[invoice.party.id]
        maturity, = [l.maturity_date for l in invoice.lines_to_pay]
        low, high = delays[behaviour]
        date = maturity + datetime.timedelta(days=rng.randint(low, high))
        if behaviour == 'unpaid' and maturity > today - relativedelta(
                months=4):
            continue
        if rng.random() < 0.015:
            continue  # forgotten invoice
        date = max(date, invoice.invoice_date)
        amount = invoice.total_amount
        if behaviour == 'partial' and rng.random() < 0.5:
            # a part now, the balance a few weeks later
            first = (amount * Decimal(rng.choice(['0.3', '0.5', '0.7']))
                ).quantize(CENT)
            if date <= today:
                payments.append((invoice, date, first))
            amount -= first
            date += datetime.timedelta(days=rng.randint(15, 60))
        if date <= today:
            payments.append((invoice, date, amount))
    # Advances received from some key accounts
    for party, profile in customers:
        if profile['segment'] == 'key' and rng.random() < 0.6:
            payments.append((party, today - datetime.timedelta(
                        days=rng.randrange(5, 30)),
                    Decimal(rng.randrange(1000, 5000))))

    Period = pool.get('account.period')
    moves = []
    for origin, date, amount in payments:
        party = origin.party if isinstance(origin, Invoice) else origin
        moves.append({
                'company': company.id,
                'journal': accounts['cash_journal'].id,
                'date': date,
                'period': Period.find(company, date=date),
                'description': "Règlement %s" % party.rec_name,
                'lines': [('create', [{
                                'account': accounts['bank'].id,
                                'debit': amount, 'credit': 0,
                                }, {
                                'account': accounts['receivable'].id,
                                'party': party.id,
                                'debit': 0, 'credit': amount,
                                }])],
                })
    moves = Move.create(moves)
    Move.post(moves)

    paid = defaultdict(list)
    for (origin, date, amount), move in zip(payments, moves):
        if isinstance(origin, Invoice):
            paid[origin].extend(l for l in move.lines
                if l.account == accounts['receivable'])
    to_reconcile = []
    for invoice, lines in paid.items():
        if sum(l.credit for l in lines) == invoice.total_amount:
            to_reconcile.append(list(invoice.lines_to_pay) + lines)
        else:
            Invoice.write([invoice], {
                    'payment_lines': [('add', [l.id for l in lines])],
                    })
    if to_reconcile:
        MoveLine.reconcile(*to_reconcile)


def _collector(company, customers):
    "Create the collector whose portfolio is the SMEs"
    pool = Pool()
    User = pool.get('res.user')
    Group = pool.get('res.group')
    Party = pool.get('party.party')
    ModelData = pool.get('ir.model.data')
    groups = Group.browse([
            ModelData.get_id('ar_followup', 'group_collector'),
            # the worklist is under Financial
            ModelData.get_id('account', 'group_account'),
            ])
    collector, = User.create([{
                'name': "Camille Roche",
                'login': COLLECTOR_LOGIN,
                'password': COLLECTOR_PASSWORD,
                'groups': [('add', [g.id for g in groups])],
                'companies': [('add', [company.id])],
                'company': company.id,
                'followup_collection_target': Decimal(30000),
                }])
    Party.write([p for p, profile in customers if profile['segment'] == 'sme'],
        {'followup_collector': collector.id})
    return collector


def _disputes_promises(company, invoice_ids, today):
    """Open disputes on three overdue invoices of different customers, a
    resolved one, a cancelled promise and a promise to pay that the daily
    job finds broken"""
    pool = Pool()
    Invoice = pool.get('account.invoice')
    Dispute = pool.get('account.invoice.dispute')
    Promise = pool.get('account.dunning.promise')
    overdue, parties = [], set()
    for invoice in Invoice.search([
                ('id', 'in', invoice_ids),
                ('state', '=', 'posted'),
                ('invoice_date', '<', today - datetime.timedelta(days=90)),
                ], order=[('invoice_date', 'ASC'), ('id', 'ASC')]):
        if invoice.party not in parties and invoice.amount_to_pay > 0:
            parties.add(invoice.party)
            overdue.append(invoice)
    for invoice, reason, days in zip(overdue,
            ['quality', 'price', 'not_received'], [40, 25, 10]):
        Dispute.create([{
                    'company': company.id,
                    'invoice': invoice.id,
                    'reason': reason,
                    'amount': invoice.amount_to_pay,
                    'opened_on': today - datetime.timedelta(days=days),
                    }])
    # settled ones, which the dashboard's open disputes and broken promises
    # leave out
    resolved, = Dispute.create([{
                'company': company.id,
                'invoice': overdue[4].id,
                'reason': 'duplicate',
                'amount': overdue[4].amount_to_pay,
                'opened_on': today - datetime.timedelta(days=60),
                }])
    Dispute.resolve([resolved])
    withdrawn, = Promise.create([{
                'company': company.id,
                'party': overdue[5].party.id,
                'invoice': overdue[5].id,
                'made_on': today - datetime.timedelta(days=30),
                'date': today - datetime.timedelta(days=15),
                'amount': overdue[5].amount_to_pay,
                }])
    Promise.cancel([withdrawn])
    invoice = overdue[3]
    Promise.create([{
                'company': company.id,
                'party': invoice.party.id,
                'invoice': invoice.id,
                'made_on': today - datetime.timedelta(days=20),
                'date': today - datetime.timedelta(days=6),
                'amount': invoice.amount_to_pay,
                'note': "Virement promis au téléphone",
                }])


def _snapshots(company, today):
    """Store the KPI snapshots of the month ends before the last one (the
    daily job stores the last one), for the trend charts"""
    Snapshot = Pool().get('ar_followup.receivable_kpi.snapshot')
    Snapshot.create([Snapshot.values(company,
                today + relativedelta(day=1, months=-i, days=-1))
            for i in range(SNAPSHOT_MONTH_ENDS, 0, -1)])
