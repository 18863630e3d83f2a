# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Consistency of the French company identifiers of a customer.

* SIREN: 9 digits identifying the legal unit (Luhn check digit);
* SIRET: 14 digits = SIREN + 5-digit establishment number (NIC), Luhn
  checked, except the La Poste establishments (SIREN 356000000) which
  stdnum validates with their own rule;
* French VAT number: ``FR`` + 2-character key + SIREN.  The numeric key
  is ``(SIREN * 100 + 12) mod 97``; newer numbers may have an alphabetic
  key, which stdnum validates too.

All the checks rely on python-stdnum (``stdnum.fr.siren``,
``stdnum.fr.siret``, ``stdnum.fr.tva``, ``stdnum.eu.vat``); nothing is
re-implemented here.

Cross checks done by :func:`check_consistency`:

* the SIRET must start with the SIREN;
* a French VAT number must embed the SIREN (or, when no SIREN is given,
  the first 9 digits of the SIRET).  A non-French EU VAT number is only
  validated: it cannot be compared with a SIREN.
"""
from collections import namedtuple

from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError
from stdnum.fr import siren as fr_siren
from stdnum.fr import siret as fr_siret
from stdnum.fr import tva as fr_tva
from . import RuleError

__all__ = [
    'IdentifierError',
    'Identifiers',
    'check_consistency',
    'compact_siren',
    'compact_siret',
    'compact_vat',
    'vat_from_siren',
    ]


class IdentifierError(RuleError):
    """An identifier is invalid or inconsistent with another one.

    ``code`` is one of:

    * ``invalid_siren`` (attribute ``siren``),
    * ``invalid_siret`` (``siret``),
    * ``invalid_vat`` (``vat``),
    * ``siret_siren_mismatch`` (``siret``, ``siren``),
    * ``vat_siren_mismatch`` (``vat``, ``siren``).
    """


Identifiers = namedtuple('Identifiers', ['siren', 'siret', 'vat'])
Identifiers.__doc__ = (
    "Compacted identifiers (None when not given).  The VAT number keeps "
    "its country prefix, e.g. 'FR44732829320'.")


def _empty(value):
    return value is None or (isinstance(value, str) and not value.strip())


def compact_siren(siren):
    "Return the validated, compacted SIREN or raise IdentifierError"
    try:
        return fr_siren.validate(siren)
    except (ValidationError, TypeError, AttributeError):
        raise IdentifierError('invalid_siren', siren=siren)


def compact_siret(siret):
    "Return the validated, compacted SIRET or raise IdentifierError"
    try:
        return fr_siret.validate(siret)
    except (ValidationError, TypeError, AttributeError):
        raise IdentifierError('invalid_siret', siret=siret)


def compact_vat(vat):
    """Return the validated EU VAT number with its country prefix
    (e.g. 'FR44732829320') or raise IdentifierError"""
    try:
        number = eu_vat.validate(vat)
    except (ValidationError, TypeError, AttributeError):
        raise IdentifierError('invalid_vat', vat=vat)
    return number


def vat_from_siren(siren):
    """Return the French VAT number (``FR`` + numeric key + SIREN) of the
    SIREN, e.g. '732829320' -> 'FR44732829320'.

    Raise IdentifierError('invalid_siren') if the SIREN is invalid."""
    siren = compact_siren(siren)
    return 'FR' + fr_siren.to_tva(siren)


def check_consistency(siren=None, siret=None, vat=None):
    """Check each given identifier and their consistency.

    Empty values (None or blank strings) are ignored.  Return the
    compacted :class:`Identifiers`; raise :class:`IdentifierError` at the
    first problem, in this order: invalid SIREN, invalid SIRET, invalid
    VAT, SIRET not starting with the SIREN, French VAT not embedding the
    SIREN (the SIRET's SIREN when no SIREN is given).
    """
    siren = None if _empty(siren) else compact_siren(siren)
    siret = None if _empty(siret) else compact_siret(siret)
    vat = None if _empty(vat) else compact_vat(vat)

    if siren is not None and siret is not None and siret[:9] != siren:
        raise IdentifierError(
            'siret_siren_mismatch', siret=siret, siren=siren)

    reference = siren if siren is not None else (
        siret[:9] if siret is not None else None)
    if vat is not None and reference is not None and vat.startswith('FR'):
        # fr_tva.to_siren is not used: it rejects the Monaco numbers
        # ('000' after the key) that are valid VAT but have no SIREN
        vat_siren = fr_tva.compact(vat)[2:]
        if vat_siren != reference:
            raise IdentifierError(
                'vat_siren_mismatch', vat=vat, siren=reference)
    return Identifiers(siren, siret, vat)
