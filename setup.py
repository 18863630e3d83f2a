#!/usr/bin/env python3
# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import io
import os
import re
from configparser import ConfigParser

from setuptools import find_packages, setup

MODULE = 'ar_followup'
PREFIX = 'trytond'
SERIES = '>=8.0,<8.1'


def read(fname):
    with io.open(os.path.join(os.path.dirname(__file__), fname),
            'r', encoding='utf-8') as fp:
        return fp.read()


config = ConfigParser()
config.read_file(open(os.path.join(MODULE, 'tryton.cfg')))
info = dict(config.items('tryton'))
for key in ('depends', 'extras_depend', 'xml'):
    if key in info:
        info[key] = info[key].strip().splitlines()
version = info.get('version', '0.0.1')

requires = ['trytond %s' % SERIES]
for dep in info.get('depends', []):
    if not re.match(r'(ir|res)(\W|$)', dep):
        requires.append('%s_%s %s' % (PREFIX, dep, SERIES))
requires += [
    'python-stdnum >= 1.20',
    'lxml >= 4.9',
    'factur-x >= 3.0',
    'saxonche',
    'python-sql >= 1.5',
    'segno >= 1.5',
    ]
tests_require = [
    'proteus %s' % SERIES,
    'hypothesis',
    'pytest',
    'aiosmtpd',
    'pypdf',
    'ruff',
    ]
# the extras: the scenario of the sale credit hold activates them
tests_require += ['%s_%s %s' % (PREFIX, dep, SERIES)
    for dep in info.get('extras_depend', [])]

setup(name='%s_%s' % (PREFIX, MODULE),
    version=version,
    description="Accounts-receivable follow-up for French companies "
    "(gestion du poste client)",
    long_description=read('README.md'),
    long_description_content_type='text/markdown',
    package_dir={'trytond.modules.%s' % MODULE: MODULE},
    packages=(
        ['trytond.modules.%s' % MODULE]
        + ['trytond.modules.%s.%s' % (MODULE, p)
            for p in find_packages(MODULE)]),
    package_data={
        'trytond.modules.%s' % MODULE: (info.get('xml', [])
            + ['tryton.cfg', 'views/*.xml', 'data/*.xml', 'data/*.csv',
                'reports/*.fodt', 'reports/*.odt', 'reports/*.html',
                'template/*/*.xml', 'web/*.html', 'web/*.css',
                'locale/*.po', 'tests/*.rst']),
        },
    python_requires='>=3.9',
    install_requires=requires,
    extras_require={
        'test': tests_require,
        'postgresql': ['psycopg[binary,pool] >= 3'],
        },
    zip_safe=False,
    entry_points={
        'trytond.modules': ['%s = trytond.modules.%s' % (MODULE, MODULE)],
        'console_scripts': [
            'ar-followup = trytond.modules.%s.cli:main' % MODULE,
            ],
        },
    )
