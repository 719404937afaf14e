"""Two ``serve`` replicas behind Debian's nginx running ``deploy/nginx.conf`` (shared by the test and the benchmark).

The config file is used as shipped; only its ports and file paths are
rewritten so that it runs on free ports in a temporary folder.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from serving import launch, stop, wait_healthy

ROOT = Path(__file__).resolve().parents[2]
CONF = ROOT / "deploy" / "nginx.conf"
BASE = "/news"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def render(conf: str, replicas: list[int], listen: int, folder: Path) -> str:
    """``deploy/nginx.conf`` with these replica ports, this listening port and files under ``folder``."""
    lines = [f"        server 127.0.0.1:{p} max_fails=2 fail_timeout=10s;" for p in replicas]
    conf, n = re.subn(r"(?m)^\s*server 127\.0\.0\.1:8501 .*\n\s*server 127\.0\.0\.1:8502 .*$", "\n".join(lines), conf)
    assert n == 1, "deploy/nginx.conf: the upstream's two server lines were not found"
    conf = conf.replace("listen 8080;", f"listen 127.0.0.1:{listen};")
    conf = conf.replace("/var/log/nginx/", f"{folder}/").replace("/run/nginx-newsmap.pid", f"{folder}/nginx.pid")
    temp = "".join(f"    {k}_temp_path {folder}/{k};\n" for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return conf.replace("http {\n", "http {\n" + temp, 1)


@dataclass
class Deployment:
    url: str  # the proxy, e.g. http://127.0.0.1:PORT/news
    replicas: list[str]
    access_log: Path
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def upstreams(self) -> list[tuple[str, str, str]]:
        """(request, upstream address, route) of every request the proxy logged so far."""
        out = []
        for line in self.access_log.read_text().splitlines():
            m = re.search(r'"(\S+ \S+)[^"]*" \d+ \d+ upstream=(.+?) route=(\S+)', line)
            if m:
                out.append((m.group(1), m.group(2), m.group(3)))
        return out

    def close(self) -> None:
        for p in reversed(self.procs):
            stop(p)


def start(db_url: str, folder: Path, n_replicas: int = 2) -> Deployment:
    """Start ``n_replicas`` read-only ``serve`` processes and nginx in front of them."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    ports = [free_port() for _ in range(n_replicas)]
    listen = free_port()
    dep = Deployment(f"http://127.0.0.1:{listen}{BASE}", [f"127.0.0.1:{p}" for p in ports], folder / "newsmap-access.log")
    try:
        for i, port in enumerate(ports):
            dep.procs.append(launch([sys.executable, "-m", "dashboard", "serve", "--port", str(port), "--base-path",
                                     "news", "--read-only", "--db", db_url], folder, folder / f"replica{i}.log"))
        conf = folder / "nginx.conf"
        conf.write_text(render(CONF.read_text(), ports, listen, folder))
        subprocess.run([nginx, "-t", "-p", str(folder), "-c", str(conf)], check=True, capture_output=True, timeout=30)
        log = folder / "newsmap-error.log"
        dep.procs.append(subprocess.Popen([nginx, "-p", str(folder), "-c", str(conf), "-g", "daemon off;"],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True))
        for i, port in enumerate(ports):
            wait_healthy(f"http://127.0.0.1:{port}{BASE}/_stcore/health", dep.procs[i], folder / f"replica{i}.log")
        wait_healthy(f"{dep.url}/_stcore/health", dep.procs[-1], log)
    except BaseException:
        dep.close()
        raise
    return dep
