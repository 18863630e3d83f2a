# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Providers of external company data (no database).

A provider returns, for the SIRENs of the customers, the legal data of
the companies as :class:`rules.importers.LegalUnit` rows plus the
rejected lines, like the parsers of :mod:`rules.importers`::

    rows, errors = provider.fetch(sirens, data=...)

The import wizard of the party (``models/company_data.py``) lists the
registered providers, calls the one chosen and applies the rows with
:func:`legal_changes`: adding a source (an online API such as the
*Recherche d'entreprises* of the French administration, or an insurer's
API) is writing a :class:`Provider` subclass and calling
:func:`register` from the module that defines it; the models are not
touched.  A provider that needs a file says so with ``needs_file``; one
that calls a network service must be given its client (tests never use
the network).
"""
from .importers import DEFAULT_MAX_ERRORS, DEFAULT_MAX_SIZE, parse_sirene

__all__ = [
    'PROVIDERS',
    'Provider',
    'SireneFileProvider',
    'get_provider',
    'legal_changes',
    'register',
    ]

PROVIDERS = {}


class Provider:
    """Source of legal data.

    code: unique key, stored in the wizard's selection;
    string: the name shown to the user, or message: the id of the
    ``ir.message`` holding it (translated);
    needs_file: the user gives a file (``data`` of :meth:`fetch`)."""
    code = None
    string = None
    message = None
    needs_file = False

    def fetch(self, sirens, data=None):
        """Return (rows, errors) for the SIRENs: rows are LegalUnit,
        errors (line, code, args) tuples; raise
        :class:`rules.importers.ImportFileError` to reject everything."""
        raise NotImplementedError


class SireneFileProvider(Provider):
    "The INSEE StockUniteLegale CSV file (or an extract of it)"
    code = 'sirene_file'
    string = "INSEE SIRENE file (StockUniteLegale)"
    message = 'ar_followup.msg_company_data_provider_sirene_file'
    needs_file = True

    def __init__(self, max_size=DEFAULT_MAX_SIZE,
            max_errors=DEFAULT_MAX_ERRORS):
        self.max_size = max_size
        self.max_errors = max_errors

    def fetch(self, sirens, data=None):
        return parse_sirene(data, sirens, max_size=self.max_size,
            max_errors=self.max_errors)


def register(provider_class):
    "Register the provider class (usable as a decorator)"
    if not provider_class.code:
        raise ValueError("a provider needs a code")
    PROVIDERS[provider_class.code] = provider_class
    return provider_class


def get_provider(code, **kwargs):
    "Return an instance of the provider registered under code"
    return PROVIDERS[code](**kwargs)


register(SireneFileProvider)


def legal_changes(current, unit):
    """Return the values to write on a party to bring its legal data in
    line with the LegalUnit (empty dict when nothing changes).

    current: dict with the party's legal_form, naf_code,
    legal_creation_date and legal_status.  A ceased unit sets the status
    'ceased'; an active one sets 'active' only over 'ceased' (collective
    proceedings are not in the SIRENE file and stay as they are).  Empty
    cells of the file never erase a known value."""
    wanted = {}
    if unit.legal_form:
        wanted['legal_form'] = unit.legal_form
    if unit.activity:
        wanted['naf_code'] = unit.activity
    if unit.creation_date:
        wanted['legal_creation_date'] = unit.creation_date
    if not unit.active:
        wanted['legal_status'] = 'ceased'
    elif current.get('legal_status') in {None, 'ceased'}:
        wanted['legal_status'] = 'active'
    return {k: v for k, v in wanted.items() if current.get(k) != v}
