"""nginx under test: a private prefix, a free port, the module loaded, stopped by pid."""
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import http.client

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
NGINX = os.environ.get("NGINX", "/usr/sbin/nginx")
MODULE = os.environ.get("PYLON_MODULE", os.path.join(ROOT, "build", "ngx_pylon_module.so"))

# make test-asan: the sanitizer runtime is preloaded into nginx only (its
# workers and helper inherit it), never into pytest or node
NGINX_ENV = None
if os.environ.get("PYLON_PRELOAD"):
    NGINX_ENV = dict(os.environ, LD_PRELOAD=os.environ["PYLON_PRELOAD"])
    NGINX_ENV.setdefault("ASAN_OPTIONS", "detect_leaks=0:abort_on_error=1")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_for(pred, timeout=5.0, step=0.05):
    end = time.time() + timeout
    while time.time() < end:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return pred()


# error.log lines that mean a process died or memory went wrong: a test
# that sees one fails at teardown, whatever it asserted (issue 11), and
# LMDB's misuse report (issue 12)
FATAL = re.compile(r"exited on signal|double free|free\(\): |corrupted |"
                   r"AddressSanitizer|LeakSanitizer|runtime error: |"
                   r"stack smashing|malloc\(\)|"
                   r"MDB_BAD_TXN")            # a scan reset by its own reads
ALERT = re.compile(r"\[alert\]|\[emerg\]")


def log_problems(text, expect=()):
    """Lines of an error.log that a test must not leave behind.

    `expect` holds regexes of lines the test provoked on purpose (a helper
    killed with SIGKILL, an alert it checks for); everything else that is
    fatal, or an [alert]/[emerg], is returned."""
    pats = [re.compile(e) for e in expect]
    bad = []
    for line in text.splitlines():
        if not (FATAL.search(line) or ALERT.search(line)):
            continue
        if any(p.search(line) for p in pats):
            continue
        bad.append(line)
    return bad


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def json(self):
        import json
        return json.loads(self.body)

    def __repr__(self):
        return "<%d %r>" % (self.status, self.body[:200])


class Nginx:
    """One nginx master with the module; `@PORT@` and `@PREFIX@` in the conf are substituted."""

    def __init__(self, http_conf, main_conf="", workers=1, valgrind=None):
        self.prefix = tempfile.mkdtemp(prefix="pylon-t-")
        os.chmod(self.prefix, 0o755)          # as root the helper runs as nobody
        for d in ("conf", "logs", "tmp", "data"):
            os.makedirs(os.path.join(self.prefix, d))
        self.port = free_port()
        self.valgrind = valgrind
        user = "user nobody nogroup;" if os.geteuid() == 0 else ""
        self.http_conf = http_conf
        self.conf = f"""load_module {MODULE};
{user}
worker_processes {workers};
pid logs/nginx.pid;
error_log logs/error.log info;
{main_conf}
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path tmp/body; proxy_temp_path tmp/proxy; fastcgi_temp_path tmp/fastcgi;
    uwsgi_temp_path tmp/uwsgi; scgi_temp_path tmp/scgi;
    {self.subst(http_conf)}
}}
"""
        self.write_conf(self.conf)
        self.proc = None
        self.expected = []           # regexes of error.log lines allowed

    def expect_log(self, *patterns):
        """Allow error.log lines matching these regexes at teardown (a test
        that kills a process or provokes an alert on purpose says so)."""
        self.expected.extend(patterns)
        return self

    def check_log(self):
        """Fail when error.log shows a dead process, a sanitizer report or
        an [alert] the test did not announce with expect_log()."""
        bad = log_problems(self.log(), self.expected)
        assert not bad, "error.log of %s:\n%s" % (self.prefix,
                                                   "\n".join(bad[:20]))

    def subst(self, s):
        return s.replace("@PORT@", str(self.port)).replace("@PREFIX@", self.prefix)

    def write_conf(self, text):
        with open(os.path.join(self.prefix, "conf/nginx.conf"), "w") as f:
            f.write(text)

    def cmd(self, *args):
        return [NGINX, "-p", self.prefix + "/", "-c", "conf/nginx.conf", *args]

    def test_config(self):
        return subprocess.run(self.cmd("-t"), capture_output=True, text=True, env=NGINX_ENV)

    def start(self):
        t = self.test_config()
        assert t.returncode == 0, t.stderr
        argv = self.cmd("-g", "daemon off;")
        if self.valgrind:
            argv = self.valgrind + argv
        self.proc = subprocess.Popen(argv, env=NGINX_ENV)
        deadline = time.time() + (60 if self.valgrind else 10)
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return self
            except OSError:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.05)
        raise RuntimeError("nginx did not start:\n" + self.log())

    def kill(self, sig):
        os.kill(self.proc.pid, sig)

    def reload(self):
        self.kill(signal.SIGHUP)

    def stop(self, sig=signal.SIGQUIT, timeout=15):
        if self.proc and self.proc.poll() is None:
            self.kill(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill(signal.SIGKILL)
                self.proc.wait()
                raise AssertionError("nginx did not stop within %ss" % timeout)

    def children(self):
        """{pid: title} of the master's children."""
        out = {}
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open(f"/proc/{pid}/stat") as f:
                    stat = f.read()
                ppid = int(stat.rsplit(")", 1)[1].split()[1])
                state = stat.rsplit(")", 1)[1].split()[0]
                if ppid == self.proc.pid and state != "Z":
                    with open(f"/proc/{pid}/cmdline", "rb") as f:
                        out[int(pid)] = f.read().split(b"\0")[0].decode()
            except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
                pass
        return out

    def helpers(self):
        return sorted(p for p, t in self.children().items() if "pylon helper" in t)

    def workers(self):
        return sorted(p for p, t in self.children().items() if "worker process" in t)

    def request(self, path, method="GET", body=None, headers=None, timeout=10):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            return Response(r.status, r.getheaders(), r.read())
        finally:
            c.close()

    get = request

    def log(self):
        try:
            with open(os.path.join(self.prefix, "logs/error.log"), errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def cleanup(self):
        """Stop nginx, then fail if its error.log shows a crash (the prefix
        is kept for a look when it does)."""
        try:
            self.stop()
            self.check_log()
        except AssertionError:
            raise
        else:
            if not os.environ.get("KEEP"):
                shutil.rmtree(self.prefix, ignore_errors=True)
