"""A real Neo4j Community server that the project provisions from Maven Central and runs itself.

Machines without Docker still have Java 17 and Maven: `org.neo4j:neo4j` holds the server's
entry point (`org.neo4j.server.CommunityEntryPoint`) and Bolt, so we resolve its jars once into
a cache folder, write a neo4j.conf, and run it on a free loopback port.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import zipfile
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path

from neo4j import GraphDatabase
from neo4j.exceptions import AuthError, ServiceUnavailable

from modelatlas.errors import Unavailable

NEO4J_VERSION = "5.26.30"
"""The pinned Neo4j LTS patch; docker-compose.yml and neo4j-pom.xml use the same one."""

ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
ADMIN_TOOL = "org.neo4j.cli.AdminTool"
_MAIN_JAR = f"neo4j-{NEO4J_VERSION}.jar"
_USE_YOUR_OWN = (
    "Or set NEO4J_URI (with NEO4J_USER and NEO4J_PASSWORD) to a Neo4j server you run, "
    "e.g. `docker compose up -d neo4j`."
)
# What Neo4j's own launcher passes to a Java 17 VM; the server fails without the add-opens.
_JVM_FLAGS = (
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Dlog4j2.disable.jmx=true",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/java.util=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
)


class LocalNeo4jError(Unavailable):
    """A local-server problem, worded as what to do about it."""


@dataclass(frozen=True)
class ServerInfo:
    """How to reach a running local server; persisted so other commands can find it."""

    uri: str
    user: str
    password: str
    pid: int
    port: int
    home: str
    version: str = NEO4J_VERSION


def log_tail(home: Path, lines: int = 25) -> str:
    """The last lines of the server's console log, to show with any start failure."""
    log = home / "logs" / "console.log"
    if not log.exists():
        return "(no Neo4j log yet)"
    text = log.read_text(encoding="utf-8", errors="replace").splitlines()
    return "\n".join(text[-lines:]) or "(the Neo4j log is empty)"


def _java_major(java: str) -> int | None:
    """The major version of a `java` binary, or None if it will not say."""
    proc = subprocess.run(
        [java, "-version"], capture_output=True, text=True, timeout=30, check=False
    )
    match = re.search(r'version "(\d+)(?:\.(\d+))?', proc.stderr + proc.stdout)
    if not match:
        return None
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


def find_java() -> str:
    """A Java 17+ binary (JAVA_HOME first, then PATH), or a clear error."""
    candidates = []
    if os.environ.get("JAVA_HOME"):
        candidates.append(str(Path(os.environ["JAVA_HOME"]) / "bin" / "java"))
    found = shutil.which("java")
    if found:
        candidates.append(found)
    for java in candidates:
        if Path(java).exists():
            major = _java_major(java)
            if major is not None and major >= 17:
                return java
            raise LocalNeo4jError(
                f"Java 17 or newer is needed to run the local Neo4j, but {java} is Java "
                f"{major or 'of unknown version'}. Install a JDK 17+ (e.g. `apt-get install "
                f"openjdk-17-jre-headless`) or point JAVA_HOME at one. {_USE_YOUR_OWN}"
            )
    raise LocalNeo4jError(
        "Java 17 or newer is needed to run the local Neo4j, and no `java` was found on PATH "
        "or in JAVA_HOME. Install a JDK 17+ (e.g. `apt-get install openjdk-17-jre-headless`). "
        + _USE_YOUR_OWN
    )


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_is_free(port: int) -> bool:
    """Whether we could listen on this loopback port.

    SO_REUSEADDR as servers (Neo4j included) use it: connections of a server that just
    stopped, left in TIME_WAIT, do not make the port busy; a listener still does.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


class Neo4jDistribution:
    """The server's jars, resolved once with Maven into a cache folder and reused offline."""

    def __init__(self, cache_dir: Path, version: str = NEO4J_VERSION) -> None:
        """Use `cache_dir/neo4j-<version>` as the home of the jars."""
        self.version = version
        self.root = cache_dir / f"neo4j-{version}"
        self.lib = self.root / "lib"
        self.manifest = self.root / "manifest.json"

    def is_provisioned(self) -> bool:
        """Whether a complete download is present (it may still be corrupt; see verify)."""
        return self.manifest.exists()

    def verify(self) -> None:
        """Check every jar the manifest lists is present, the right size and a valid zip."""
        try:
            listed: dict[str, int] = json.loads(self.manifest.read_text())["jars"]
        except (OSError, ValueError, KeyError) as exc:
            raise self._corrupt(f"its manifest is unreadable ({exc})") from exc
        for name, size in listed.items():
            jar = self.lib / name
            if not jar.exists():
                raise self._corrupt(f"{name} is missing")
            if jar.stat().st_size != size:
                raise self._corrupt(f"{name} has the wrong size")
        main = self.lib / f"neo4j-{self.version}.jar"
        if not zipfile.is_zipfile(main):
            raise self._corrupt(f"{main.name} is not a valid jar")

    def _corrupt(self, why: str) -> LocalNeo4jError:
        return LocalNeo4jError(
            f"The cached Neo4j {self.version} at {self.root} is corrupt: {why}. "
            f"Run `modelatlas neo4j provision --force` (or delete {self.root}) to download "
            f"it again. {_USE_YOUR_OWN}"
        )

    def provision(self, *, force: bool = False, quiet: bool = True) -> float:
        """Download the jars with Maven unless present; returns the seconds it took."""
        if self.is_provisioned() and not force:
            self.verify()
            return 0.0
        mvn = shutil.which("mvn")
        if mvn is None:
            raise LocalNeo4jError(
                "Maven (`mvn`) is needed once to download the local Neo4j from Maven Central, "
                "and it is not on PATH. Install it (e.g. `apt-get install maven`). " + _USE_YOUR_OWN
            )
        find_java()
        started = time.monotonic()
        if self.root.exists():
            shutil.rmtree(self.root)
        staging = self.root.with_name(self.root.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        pom = resources.files("modelatlas.db").joinpath("neo4j-pom.xml")
        with resources.as_file(pom) as pom_path:
            cmd = [
                mvn,
                "-B",
                "-f",
                str(pom_path),
                "dependency:copy-dependencies",
                f"-Dneo4j.version={self.version}",
                f"-DoutputDirectory={staging / 'lib'}",
                f"-Dmaven.repo.local={self.root.parent / 'm2'}",
            ]
            if quiet:
                cmd.insert(2, "-q")
            proc = subprocess.run(cmd, capture_output=quiet, text=True, check=False)
        if proc.returncode != 0:
            detail = "\n".join(((proc.stdout or "") + (proc.stderr or "")).splitlines()[-15:])
            raise LocalNeo4jError(
                f"Maven could not download Neo4j {self.version} (exit {proc.returncode}). "
                f"Check your network access to Maven Central.\n{detail}\n{_USE_YOUR_OWN}"
            )
        jars = {p.name: p.stat().st_size for p in sorted((staging / "lib").glob("*.jar"))}
        if f"neo4j-{self.version}.jar" not in jars:
            raise LocalNeo4jError(f"Maven finished but brought no neo4j-{self.version}.jar.")
        (staging / "manifest.json").write_text(json.dumps({"version": self.version, "jars": jars}))
        staging.rename(self.root)
        return time.monotonic() - started


class LocalNeo4j:
    """One local server instance: its home folder (conf, data, logs, state) and its process."""

    def __init__(
        self,
        home: Path,
        cache_dir: Path,
        *,
        port: int = 0,
        heap: str = "1g",
        pagecache: str = "512m",
        start_timeout_s: float = 120.0,
    ) -> None:
        """Describe an instance; nothing starts until `start()`."""
        self.home = home
        self.distribution = Neo4jDistribution(cache_dir)
        self.port = port
        self.heap = heap
        self.pagecache = pagecache
        self.start_timeout_s = start_timeout_s
        self.state_file = home / "run" / "server.json"
        self._proc: subprocess.Popen[bytes] | None = None

    # -- state -----------------------------------------------------------------------------
    def info(self) -> ServerInfo | None:
        """The running server recorded in the state file, or None (stale files are removed)."""
        try:
            info = ServerInfo(**json.loads(self.state_file.read_text()))
        except (OSError, ValueError, TypeError):
            return None
        if not _is_server(info.pid, self.home):
            self.state_file.unlink(missing_ok=True)
            return None
        return info

    def _password(self) -> str:
        """The instance's generated password, created with the instance and kept 0600."""
        secret = self.home / "run" / "password"
        if secret.exists():
            return secret.read_text().strip()
        secret.parent.mkdir(parents=True, exist_ok=True)
        password = secrets.token_hex(24)  # hex: a leading "-" would read as an admin option
        fd = os.open(secret, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(password)
        return password

    # -- lifecycle -------------------------------------------------------------------------
    def _java_cmd(self, java: str, main: str, *args: str, heap: str | None = None) -> list[str]:
        cmd = [java]
        if heap:
            cmd += [f"-Xms{heap}", f"-Xmx{heap}"]
        return [*cmd, *_JVM_FLAGS, "-cp", f"{self.distribution.lib}/*", main, *args]

    def _write_conf(self, port: int) -> None:
        conf = self.home / "conf"
        conf.mkdir(parents=True, exist_ok=True)
        for sub in ("data", "logs", "run", "plugins", "import"):
            (self.home / sub).mkdir(parents=True, exist_ok=True)
        settings = {
            "server.directories.data": self.home / "data",
            "server.directories.logs": self.home / "logs",
            "server.directories.run": self.home / "run",
            "server.directories.plugins": self.home / "plugins",
            "server.directories.import": self.home / "import",
            "server.default_listen_address": "127.0.0.1",
            "server.bolt.enabled": "true",
            "server.bolt.listen_address": f"127.0.0.1:{port}",
            "server.bolt.advertised_address": f"127.0.0.1:{port}",
            "server.http.enabled": "false",
            "server.https.enabled": "false",
            "server.memory.pagecache.size": self.pagecache,
            "dbms.memory.transaction.total.max": "0",
            "dbms.security.auth_enabled": "true",
            "dbms.usage_report.enabled": "false",
            "db.tx_log.rotation.retention_policy": "2 files",
        }
        lines = [f"{k}={v}" for k, v in settings.items()]
        (conf / "neo4j.conf").write_text(
            "# Written by modelatlas for its local Neo4j; rewritten at every start.\n"
            + "\n".join(lines)
            + "\n"
        )

    def start(self, *, quiet: bool = True) -> ServerInfo:
        """Provision if needed, start the server, and return once Bolt answers."""
        running = self.info()
        if running is not None:
            return running
        java = find_java()
        self.distribution.provision(quiet=quiet)
        self.distribution.verify()
        port = self.port or free_port()
        if not port_is_free(port):
            raise LocalNeo4jError(
                f"Port {port} on 127.0.0.1 is busy, so the local Neo4j cannot listen there. "
                "Stop what uses it, or set MODELATLAS_NEO4J_BOLT_PORT to another port "
                "(0 picks a free one). " + _USE_YOUR_OWN
            )
        self._write_conf(port)
        password = self._password()
        if (
            not (self.home / "data" / "dbms" / "auth.ini").exists()
            and not (self.home / "data" / "databases" / "system").exists()
        ):
            self._set_initial_password(java, password)
        log = self.home / "logs" / "console.log"
        with log.open("ab") as out:
            self._proc = subprocess.Popen(
                self._java_cmd(
                    java,
                    ENTRY_POINT,
                    f"--home-dir={self.home}",
                    f"--config-dir={self.home / 'conf'}",
                    "--console-mode",
                    heap=self.heap,
                ),
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                cwd=self.home,
            )
        info = ServerInfo(
            uri=f"bolt://127.0.0.1:{port}",
            user="neo4j",
            password=password,
            pid=self._proc.pid,
            port=port,
            home=str(self.home),
        )
        try:
            self._wait_for_bolt(info)
        except BaseException:
            self._terminate(self._proc.pid)
            raise
        self.state_file.write_text(json.dumps(asdict(info)))
        self.state_file.chmod(0o600)
        return info

    def _set_initial_password(self, java: str, password: str) -> None:
        env = {**os.environ, "NEO4J_HOME": str(self.home), "NEO4J_CONF": str(self.home / "conf")}
        proc = subprocess.run(
            self._java_cmd(java, ADMIN_TOOL, "dbms", "set-initial-password", password),
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        if proc.returncode != 0:
            raise LocalNeo4jError(
                "Setting the local Neo4j's initial password failed:\n"
                + (proc.stdout + proc.stderr)[-2000:]
            )

    def _wait_for_bolt(self, info: ServerInfo) -> None:
        deadline = time.monotonic() + self.start_timeout_s
        last: Exception | None = None
        assert self._proc is not None
        while time.monotonic() < deadline:
            code = self._proc.poll()
            if code is not None:
                raise LocalNeo4jError(
                    f"The local Neo4j exited during start (exit code {code}). "
                    f"Last lines of {self.home / 'logs' / 'console.log'}:\n"
                    f"{log_tail(self.home)}\n{_USE_YOUR_OWN}"
                )
            try:
                with GraphDatabase.driver(
                    info.uri, auth=(info.user, info.password), connection_timeout=2
                ) as driver:
                    driver.verify_connectivity()
                return
            except AuthError as exc:
                raise LocalNeo4jError(
                    f"The local Neo4j at {self.home} rejected its stored password ({exc}). "
                    f"Delete {self.home} to start from an empty database. {_USE_YOUR_OWN}"
                ) from exc
            except (ServiceUnavailable, OSError) as exc:
                last = exc
                time.sleep(0.25)
        raise LocalNeo4jError(
            f"The local Neo4j did not answer on Bolt within {self.start_timeout_s:.0f} s "
            f"({last}). Last lines of its log:\n{log_tail(self.home)}\n{_USE_YOUR_OWN}"
        )

    def stop(self, timeout_s: float = 60.0) -> bool:
        """Stop the server with SIGTERM and wait for it; returns whether one was running."""
        info = self.info()
        pid = info.pid if info else (self._proc.pid if self._proc else None)
        if pid is None:
            return False
        self._terminate(pid, timeout_s)
        self.state_file.unlink(missing_ok=True)
        return True

    def _terminate(self, pid: int, timeout_s: float = 60.0) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._proc is not None and self._proc.pid == pid:
                if self._proc.poll() is not None:
                    return
            elif not _alive(pid):
                return
            time.sleep(0.1)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        if self._proc is not None and self._proc.pid == pid:
            self._proc.wait(timeout=10)


def _is_server(pid: int, home: Path) -> bool:
    """Whether pid is still this instance's Neo4j (not a reused pid of another process)."""
    if not _alive(pid):
        return False
    cmdline = Path(f"/proc/{pid}/cmdline")
    if not cmdline.exists():
        return True
    with contextlib.suppress(OSError):
        args = cmdline.read_bytes().split(b"\0")
        return ENTRY_POINT.encode() in args and f"--home-dir={home}".encode() in args
    return True


def _alive(pid: int) -> bool:
    """Whether a process exists and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    if sys.platform.startswith("linux") and stat.exists():
        with contextlib.suppress(OSError, IndexError):
            return stat.read_text().split(") ", 1)[1][0] != "Z"
    return True
