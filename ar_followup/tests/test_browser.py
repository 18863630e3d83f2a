# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Browser smoke test: the Tryton web client (sao) shows the follow-up
and the "Credit & Risk" tab of the party, the credit manager's dashboard
with its charts, and the collector's worklist where a promise to pay is
recorded.

Builds a demo database (SQLite) in a temporary folder, serves it with sao
on a free loopback port and runs browser/smoke.mjs (Playwright driving
Debian's Chromium).  It needs, besides the venv:

    apt-get install -y chromium nodejs npm
    npm ci --prefix browser
    npm install --prefix var/sao 'tryton-sao@~8.0.0' --omit=dev \\
        --ignore-scripts --legacy-peer-deps --install-strategy=nested

Skipped when one of them is missing, except when CI=true where it fails.
Screenshots go to var/screenshots/.
"""
import datetime
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest
import urllib.error
import urllib.request

from trytond.modules.ar_followup import demo

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
            os.path.abspath(__file__))))
BROWSER = os.path.join(ROOT, 'browser')
SMOKE = os.path.join(BROWSER, 'smoke.mjs')
CHROMIUM = os.environ.get('CHROMIUM', '/usr/bin/chromium')
SAO = os.environ.get('AR_SAO_ROOT',
    os.path.join(ROOT, 'var', 'sao', 'node_modules', 'tryton-sao'))
SCREENSHOTS = os.path.join(ROOT, 'var', 'screenshots')
DATABASE = 'ar_smoke'
BUILD_TIMEOUT = 1800  # the demo build took up to 20 min under load
SERVER_TIMEOUT = 60
SMOKE_TIMEOUT = 660


def missing_requirements():
    "Return the reasons why the test cannot run"
    reasons = []
    if not os.access(CHROMIUM, os.X_OK):
        reasons.append(f"no Chromium at {CHROMIUM} "
            "(apt-get install -y chromium)")
    if not shutil.which('node'):
        reasons.append("no node (apt-get install -y nodejs npm)")
    if not os.path.isdir(
            os.path.join(BROWSER, 'node_modules', 'playwright-core')):
        reasons.append("no playwright-core (npm ci --prefix browser)")
    if not (os.path.isfile(os.path.join(SAO, 'dist', 'tryton-sao.js'))
            and os.path.isdir(os.path.join(SAO, 'node_modules', 'jquery'))):
        reasons.append(f"no sao with its dependencies in {SAO} "
            "(npm install --prefix var/sao 'tryton-sao@~8.0.0' --omit=dev "
            "--ignore-scripts --legacy-peer-deps --install-strategy=nested)")
    return reasons


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def script(name):
    "The path of a script of the venv, next to the interpreter"
    path = os.path.join(os.path.dirname(sys.executable), name)
    if os.path.isfile(path):
        return [path]
    path = shutil.which(name)
    if not path:
        raise unittest.SkipTest(f"no {name} script")
    return [path]


def tail(path, lines=40):
    try:
        with open(path, errors='replace') as fp:
            return ''.join(fp.readlines()[-lines:])
    except OSError:
        return ''


class BrowserSmokeTestCase(unittest.TestCase):
    "The web client shows the follow-up fields on a customer invoice"

    def setUp(self):
        from trytond import backend
        if backend.name != 'sqlite':
            # The demo server runs on SQLite whatever the suite's backend
            self.skipTest("the browser test runs in the SQLite pass")
        reasons = missing_requirements()
        if reasons:
            message = "browser smoke test: " + '; '.join(reasons)
            if os.environ.get('CI') == 'true':
                self.fail(message)
            self.skipTest(message)
        self.tmp = tempfile.mkdtemp(prefix='ar-browser-')
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        self.port = free_port()
        self.config = os.path.join(self.tmp, 'trytond.conf')
        with open(self.config, 'w') as fp:
            fp.write(textwrap.dedent(f'''\
                [database]
                uri = sqlite://
                path = {self.tmp}
                [web]
                listen = 127.0.0.1:{self.port}
                root = {SAO}
                '''))
        self.password = demo.ADMIN_PASSWORD
        # Isolate from the TRYTOND_* settings of the unit tests
        self.env = {k: v for k, v in os.environ.items()
            if not k.startswith('TRYTOND_')}
        self.env['TRYTOND_CONFIG'] = self.config
        self.log = os.path.join(self.tmp, 'build.log')

    def run_logged(self, args, what):
        with open(self.log, 'a') as log:
            log.write(f"$ {' '.join(args)}\n")
            log.flush()
            try:
                result = subprocess.run(args, cwd=self.tmp, env=self.env,
                    stdout=log, stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL, timeout=BUILD_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.fail(f"{what} took more than {BUILD_TIMEOUT} s:\n"
                    + tail(self.log))
        if result.returncode:
            self.fail(f"{what} failed ({result.returncode}):\n"
                + tail(self.log))

    def build_database(self):
        """Build the demo database with the command line of the module, or
        take the one an earlier run built today from the same module files
        (kept in DB_CACHE with its Maildir of reminder emails)"""
        database = os.path.join(self.tmp, DATABASE + '.sqlite')
        cache = os.environ.get('DB_CACHE')
        cached = (os.path.join(cache,
                f'demo-{datetime.date.today().isoformat()}.sqlite')
            if cache and '://' not in cache else None)
        # the reminder emails of the demo run are kept with it
        mail = os.path.join(self.tmp, 'mail')
        if (cached and os.path.isfile(cached)
                and os.path.isdir(cached + '.mail')):
            shutil.copy(cached, database)
            shutil.copytree(cached + '.mail', mail)
            return
        self.run_logged([sys.executable, '-O', '-m',
                'trytond.modules.ar_followup.cli', '-c', self.config,
                '-d', DATABASE, 'demo', '--mail-dir', mail],
            "ar-followup demo")
        if cached:
            os.makedirs(cache, exist_ok=True)
            shutil.copy(database, cached)
            shutil.rmtree(cached + '.mail', ignore_errors=True)
            shutil.copytree(mail, cached + '.mail')

    def start_server(self):
        server_log = os.path.join(self.tmp, 'server.log')
        log = open(server_log, 'w')
        self.addCleanup(log.close)
        # -d avoids the first-login bug of trytond 8.0.12 on a fresh server
        self.server = subprocess.Popen(
            script('trytond') + ['-c', self.config, '-d', DATABASE],
            cwd=self.tmp, env=self.env, stdout=log,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)
        self.addCleanup(self.stop_server)
        url = f'http://127.0.0.1:{self.port}/'
        deadline = time.monotonic() + SERVER_TIMEOUT
        while True:
            if self.server.poll() is not None:
                self.fail(f"trytond exited ({self.server.returncode}):\n"
                    + tail(server_log))
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                self.fail(f"trytond did not answer on {url} in "
                    f"{SERVER_TIMEOUT} s:\n" + tail(server_log))
            time.sleep(0.5)
        self.server_log = server_log
        return url

    def stop_server(self):
        if self.server.poll() is None:
            try:
                os.killpg(self.server.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.server.pid, signal.SIGKILL)
                self.server.wait(timeout=10)

    def test_invoice_form_shows_followup(self):
        started = time.monotonic()
        self.build_database()
        print(f"\ndemo database built in {time.monotonic() - started:.0f} s")
        url = self.start_server()
        os.makedirs(SCREENSHOTS, exist_ok=True)
        for name in os.listdir(SCREENSHOTS):
            if name.endswith('.png'):
                os.remove(os.path.join(SCREENSHOTS, name))
        self.run_script(SMOKE, AR_URL=url, AR_DB=DATABASE, AR_LOGIN='admin',
            AR_PASSWORD=self.password, AR_SCREENSHOTS=SCREENSHOTS,
            AR_COLLECTOR_LOGIN=demo.COLLECTOR_LOGIN,
            AR_COLLECTOR_PASSWORD=demo.COLLECTOR_PASSWORD)

    def run_script(self, script, **env):
        """Run the browser script with node and the variables env; fail
        unless it exits with 0; return its output"""
        name = os.path.basename(script)
        env = dict(self.env, CHROMIUM=CHROMIUM, **env)
        try:
            result = subprocess.run(['node', script], cwd=ROOT, env=env,
                capture_output=True, text=True, stdin=subprocess.DEVNULL,
                timeout=SMOKE_TIMEOUT)
        except subprocess.TimeoutExpired as e:
            self.fail(f"{name} took more than {SMOKE_TIMEOUT} s:\n"
                f"{e.stdout or ''}{e.stderr or ''}")
        output = result.stdout + result.stderr
        print(output)
        self.assertEqual(result.returncode, 0,
            f"{name} failed ({result.returncode}):\n{output}\n"
            f"server log:\n{tail(self.server_log)}")
        return output
