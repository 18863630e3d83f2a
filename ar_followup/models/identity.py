# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Legal identity of the customers: SIREN, SIRET and VAT numbers checked
together, the French VAT number derived from the SIREN, legal data."""
from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import Pool, PoolMeta

from ..exceptions import IdentifierValidationError
from ..rules.identity import IdentifierError, check_consistency, vat_from_siren

VAT_TYPES = {'eu_vat', 'fr_vat'}


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    legal_form = fields.Char(
        "Legal Form", size=4,
        help="The INSEE legal category code of the company "
        "(e.g. 5710 for a SAS).")
    naf_code = fields.Char(
        "NAF Code",
        help="The main activity of the company (NAF/APE code).")
    legal_creation_date = fields.Date(
        "Creation Date",
        help="The date the company was registered.")

    @classmethod
    def validate_fields(cls, parties, field_names):
        super().validate_fields(parties, field_names)
        if field_names is None or 'identifiers' in field_names:
            cls.check_identifiers(parties)

    @classmethod
    def check_identifiers(cls, parties):
        "Check that the SIREN, SIRET and VAT numbers of each party agree"
        for party in parties:
            sirens, sirets, vats = [], [], []
            for identifier in party.identifiers:
                if not identifier.active:
                    continue
                if identifier.type == 'fr_siren':
                    sirens.append(identifier.code)
                elif identifier.type == 'fr_siret':
                    sirets.append(identifier.code)
                elif identifier.type in VAT_TYPES:
                    vats.append(identifier.code)
            for siren in sirens or [None]:
                for siret in sirets or [None]:
                    for vat in vats or [None]:
                        try:
                            check_consistency(siren, siret, vat)
                        except IdentifierError as error:
                            raise IdentifierValidationError(gettext(
                                    'ar_followup.msg_identifier_'
                                    + error.code,
                                    party=party.rec_name,
                                    **error.values)) from error

    @classmethod
    def create(cls, vlist):
        parties = super().create(vlist)
        cls.add_vat_from_siren(parties)
        return parties

    @classmethod
    def write(cls, *args):
        super().write(*args)
        cls.add_vat_from_siren(sum(args[0:None:2], []))

    @classmethod
    def add_vat_from_siren(cls, parties):
        "Create the French VAT number of the parties with only a SIREN"
        pool = Pool()
        Identifier = pool.get('party.identifier')
        to_create = []
        for party in cls.browse(list({int(p) for p in parties})):
            types = {i.type for i in party.identifiers if i.active}
            if types & VAT_TYPES:
                continue
            for identifier in party.identifiers:
                if identifier.active and identifier.type == 'fr_siren':
                    try:
                        vat = vat_from_siren(identifier.code)
                    except IdentifierError:
                        break  # reported by the identifier's own check
                    to_create.append({
                            'party': party.id,
                            'type': 'eu_vat',
                            'code': vat,
                            })
                    break
        if to_create:
            Identifier.create(to_create)


class Identifier(metaclass=PoolMeta):
    __name__ = 'party.identifier'

    @classmethod
    def validate_fields(cls, identifiers, field_names):
        pool = Pool()
        Party = pool.get('party.party')
        super().validate_fields(identifiers, field_names)
        if (field_names is None
                or {'party', 'type', 'code', 'active'} & field_names):
            Party.check_identifiers(Party.browse(
                    list({i.party.id for i in identifiers})))

    @classmethod
    def create(cls, vlist):
        pool = Pool()
        Party = pool.get('party.party')
        identifiers = super().create(vlist)
        sirens = [i for i in identifiers if i.type == 'fr_siren']
        if sirens:
            Party.add_vat_from_siren({i.party.id for i in sirens})
        return identifiers
