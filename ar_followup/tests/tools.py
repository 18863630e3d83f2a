# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Helpers of the tests: where the official FNFE-MPE artefacts and the
benchmark generator are"""
import os
import pathlib
import sys

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


def benchmark_generator():
    """Return the module benchmarks.generate of the repository, None when
    benchmarks/ is not beside the module (installed package)"""
    if (ROOT / 'benchmarks').is_dir() and str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    try:
        from benchmarks import generate
    except ImportError:
        return None
    return generate


def spreadsheet_rows(extension, content):
    """Return the rows of the first sheet of an ODS or XLSX document as
    lists of cell values: numbers as Decimal, dates of ODS as ISO strings,
    the rest as text (empty cells as '')"""
    import io
    import zipfile
    from decimal import Decimal

    from lxml import etree

    archive = zipfile.ZipFile(io.BytesIO(content))
    if extension == 'ods':
        ns = {
            'table': 'urn:oasis:names:tc:opendocument:xmlns:table:1.0',
            'office': 'urn:oasis:names:tc:opendocument:xmlns:office:1.0',
            }
        root = etree.fromstring(archive.read('content.xml'))
        rows = []
        for row in root.iterfind('.//table:table-row', ns):
            values = []
            for cell in row.iterfind('table:table-cell', ns):
                type_ = cell.get('{%s}value-type' % ns['office'])
                if type_ == 'float':
                    value = Decimal(cell.get('{%s}value' % ns['office']))
                elif type_ == 'date':
                    value = cell.get('{%s}date-value' % ns['office'])
                else:
                    value = ''.join(cell.itertext())
                repeat = int(cell.get(
                        '{%s}number-columns-repeated' % ns['table'], 1))
                values.extend([value] * min(repeat, 100))
            while values and values[-1] == '':
                values.pop()
            rows.append(values)
        return rows
    ns = {'x': 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'}
    strings = []
    if 'xl/sharedStrings.xml' in archive.namelist():
        shared = etree.fromstring(archive.read('xl/sharedStrings.xml'))
        strings = [''.join(si.itertext())
            for si in shared.iterfind('x:si', ns)]
    sheet = etree.fromstring(archive.read('xl/worksheets/sheet1.xml'))
    rows = []
    for row in sheet.iterfind('.//x:sheetData/x:row', ns):
        values = []
        for cell in row.iterfind('x:c', ns):
            value = cell.findtext('x:v', '', ns)
            if cell.get('t') == 's':
                value = strings[int(value)]
            elif cell.get('t') in {'str', 'inlineStr'}:
                value = value or ''.join(cell.itertext())
            elif value:
                value = Decimal(value)
            letters = ''.join(c for c in cell.get('r', '') if c.isalpha())
            column = 0
            for letter in letters:
                column = column * 26 + ord(letter.upper()) - ord('A') + 1
            values.extend([''] * (column - 1 - len(values)))
            values.append(value)
        rows.append(values)
    return rows


def postgresql_missing():
    """The skip reason of the documents that share their database with
    other processes (SQLite's test database is in memory), or None"""
    from trytond import backend
    if backend.name != 'postgresql':
        return "needs PostgreSQL: several processes share the database"
