# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The Factur-X profile an invoice needs (no database).

EN 16931 is the profile of every invoice whose data it can carry.  Its
VAT breakdown (BG-23) cannot carry two cases French invoices meet, that
the Factur-X EXTENDED profile (1.09.2, FNFE-MPE artefacts 1.4.0) accepts:

* an amount *not subject to VAT* (category ``O``, e.g. disbursements,
  *débours*) beside amounts of other categories: EN 16931 rules BR-O-11
  to BR-O-14 forbid any other category on such an invoice;
* two VAT breakdowns of the same category other than standard rate
  (``S``), e.g. two exemptions (``E``) with different reasons: BR-E-01,
  BR-O-01, BR-AE-01, BR-Z-01, BR-IC-01 and BR-G-01 allow exactly one
  per category (the FNFE note 1.4.0 lets the EXTENDED profile carry one
  per exemption reason).

:func:`profile` returns the profile from the ``(category code, rate,
exemption reason)`` of the invoice's VAT breakdown.  The profiles are
:data:`EN16931` and :data:`EXTENDED`, the level names of the
``factur-x`` library; :data:`GUIDELINES` gives their BT-24 identifier
and :data:`RULES` the FNFE-MPE rule sets and XSD of each.
"""
import os
from collections import Counter

EN16931 = 'en16931'
EXTENDED = 'extended'
GUIDELINES = {
    EN16931: 'urn:cen.eu:en16931:2017',
    EXTENDED: 'urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:'
    'extended',
    }
RULES = {
    EN16931: (
        os.path.join('Factur-X', 'EN16931', '2xslt', 'FACTUR-X_EN16931.xslt'),
        os.path.join('Factur-X', 'EN16931', '2xslt',
            'BR-FR-Flux2-Schematron-CII.xslt'),
        ),
    EXTENDED: (
        os.path.join('Factur-X', 'EXTENDED', '2xslt',
            'Factur-X_EXTENDED.xslt'),
        os.path.join('Factur-X', 'EXTENDED', '2xslt',
            'BR-FR-Flux2-Schematron-CII.xslt'),
        ),
    }
NOT_SUBJECT = 'O'
STANDARD = 'S'


def profile(breakdown):
    """Return EXTENDED when the VAT breakdown, an iterable of (category
    code, rate, exemption reason), needs it, else EN16931"""
    breakdown = [(category or STANDARD, rate, reason)
        for category, rate, reason in breakdown]
    categories = Counter(category for category, _, _ in breakdown)
    if NOT_SUBJECT in categories and len(categories) > 1:
        return EXTENDED
    if any(count > 1 for category, count in categories.items()
            if category != STANDARD):
        return EXTENDED
    return EN16931
