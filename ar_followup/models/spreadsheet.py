# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The receivables reports as spreadsheets (ODS, or XLSX converted by
LibreOffice).

One report for every list: ``reports/table.fods`` (rendered by relatorio)
gets the columns of the model's list view, with their translated titles,
and one row per record; numbers and dates are typed cells.  The records
are read with the context of the window (date, period, terms…), so the
spreadsheet shows the figures of the screen.  Each report model has an
``ir.action.report`` per format (``views/spreadsheet.xml``)."""
from lxml import etree

from trytond.pool import Pool
from trytond.report import Report
from trytond.transaction import Transaction

from .report import ConvertMixin

# the context keys shown under the title
CONTEXT_DATES = ['date', 'from_date', 'to_date']


def list_columns(Model):
    "Return the names of the fields of the list view of the model, in order"
    view = Model.fields_view_get(view_type='tree')
    arch = etree.fromstring(view['arch'])
    return [f.get('name') for f in arch.iter('field')
        if f.get('name') in view['fields']]


def cell(record, name, definition):
    "Return the value of the field as a spreadsheet cell"
    value = getattr(record, name)
    if value is None:
        return ''
    type_ = definition['type']
    if type_ in {'many2one', 'reference'}:
        return value.rec_name
    if type_ == 'selection':
        return dict(definition['selection']).get(value, value)
    if type_ in {'one2many', 'many2many'}:
        return ', '.join(r.rec_name for r in value)
    return value


class SpreadsheetReport(ConvertMixin, Report):
    __name__ = 'ar_followup.spreadsheet'

    @classmethod
    def execute(cls, ids, data):
        "Name the document after the report (not the records)"
        Model = Pool().get(data['model'])
        oext, content, direct_print, _ = super().execute(ids, data)
        return oext, content, direct_print, Model.__names__()['model']

    @classmethod
    def get_context(cls, records, header, data):
        pool = Pool()
        Company = pool.get('company.company')
        Model = pool.get(data['model'])
        context = super().get_context(records, header, data)
        transaction_context = Transaction().context
        names = list_columns(Model)
        definitions = Model.fields_get(names)
        subtitle = []
        if transaction_context.get('company'):
            subtitle.append(
                Company(transaction_context['company']).rec_name)
        for key in CONTEXT_DATES:
            if transaction_context.get(key):
                subtitle.append(str(transaction_context[key]))
        context['title'] = Model.__names__()['model']
        context['subtitle'] = ', '.join(subtitle)
        context['headers'] = [definitions[n]['string'] for n in names]
        context['rows'] = [
            [cell(r, n, definitions[n]) for n in names] for r in records]
        return context
